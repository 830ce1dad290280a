/** HTTP attribute keys the undici instrumentation writes and this package reads. */
export const ATTR_URL_FULL = 'url.full';
export const ATTR_HTTP_REQUEST_METHOD_ORIGINAL = 'http.request.method_original';
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
