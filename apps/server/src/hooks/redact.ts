// The masking of credential headers lives in the engine, so the API (run export) masks alike.
export { maskHeaders, SECRET_MASK as MASK, sensitiveHeaders } from '@hookflow/engine';
