import type { Command } from 'commander';
import type { CommandContext } from '../main.ts';

export function registerImport(_program: Command, _ctx: CommandContext): void {}
