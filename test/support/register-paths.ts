import { resolve } from 'node:path';
import { register } from 'tsconfig-paths';

// Jest's global hooks do not apply moduleNameMapper, so the src/ alias is registered here.
register({ baseUrl: resolve(__dirname, '..', '..'), paths: { 'src/*': ['src/*'] } });
