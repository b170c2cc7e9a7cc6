/** What every page and the first log line say in local mode. */
export const LOCAL_BANNER = { zh: '本地模拟 — 未连接飞书', en: 'Local simulation — not connected to Feishu' };
