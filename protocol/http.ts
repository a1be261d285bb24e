/** HTTP wire constants shared by the server, the web client and the tests. */
export const API_BASE = '/v1';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const REQUEST_ID_HEADER = 'X-Request-Id';
/** Path prefix of the app's own signed file downloads (embedded blob store). */
export const FILES_PATH = '/files';
