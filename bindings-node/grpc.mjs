// ESM entry point of certgate/grpc.
import grpc from './grpc.js';

export const { PERMISSION_DENIED, UNAUTHENTICATED, authorize, guard, guardService } = grpc;
export default grpc;
