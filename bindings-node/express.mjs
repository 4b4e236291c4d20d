// ESM entry point of certgate/express.
import certgate from './express.js';

export { certgate };
export default certgate;
