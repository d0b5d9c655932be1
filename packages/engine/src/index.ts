import './zod-messages.ts';

export * from './config.ts';
export * from './credentials.ts';
export * from './define-node.ts';
export * from './dry-run.ts';
export * from './execute.ts';
export * from './expressions.ts';
export * from './headers.ts';
export * from './linear-regexp.ts';
export * from './placeholders.ts';
export * from './validate.ts';
export * from './workflow.ts';
