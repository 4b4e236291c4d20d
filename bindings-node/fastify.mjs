// ESM entry point of certgate/fastify.
import certgate from './fastify.js';

export { certgate };
export default certgate;
