/** The gateway's version, as published in /openapi.json. */
export const VERSION = '0.1.0';
