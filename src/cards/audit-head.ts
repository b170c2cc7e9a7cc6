/**
 * The audit head as a card shows it: the full hash in a code span (it is copied into `audit verify --head`) and
 * one line saying what it proves. The hash comes from liancha's own audit log; anything else is refused here
 * so that no text can reach the markdown through this line.
 */
export function auditHeadLine(hash: string): { zh: string; en: string } {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`not an audit hash: ${JSON.stringify(hash)}`);
  return {
    zh: `**审计链头** \`${hash}\`\n（\`liancha audit verify --head\` 可核对本步骤及此前的审计记录均未被删改）`,
    en: `**Audit head** \`${hash}\`\n(\`liancha audit verify --head\` checks that this step and every audit entry before it are still there, unaltered)`,
  };
}
