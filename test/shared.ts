// Where the shared specification folder is: beside the repository (../shared), as on every developer machine and
// in CI (a fresh clone with a copy of shared/ next to it).
import { fileURLToPath } from 'node:url';

export const SHARED_DIR = fileURLToPath(new URL('../../shared/', import.meta.url));
export const RTL_DIR = `${SHARED_DIR}vectors/openmsp430-rtl`;
