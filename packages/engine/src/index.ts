export * from './config.ts';
export * from './define-node.ts';
export * from './execute.ts';
export * from './expressions.ts';
export * from './headers.ts';
export * from './linear-regexp.ts';
export * from './validate.ts';
export * from './workflow.ts';
