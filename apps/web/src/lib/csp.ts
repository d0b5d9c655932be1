/**
 * Imported first by main.tsx. The app's Content-Security-Policy forbids eval; zod would probe
 * for it (`new Function`) to compile its parsers, and the browser reports the refused probe as a
 * violation even though zod catches it. Parsing without compiling is plenty fast in a page.
 */
import { config } from 'zod';

config({ jitless: true });
