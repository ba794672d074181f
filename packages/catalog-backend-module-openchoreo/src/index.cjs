'use strict';
// The entry for `require()`: Backstage's package discovery and TypeScript backends compiled to CommonJS
// load modules this way. The module itself is ES modules, which Node loads synchronously through
// require(esm) from 20.19 and 22.12 on (`engines` in package.json); older versions get this message.
const PACKAGE = '@openchoreo-catalog/catalog-backend-module-openchoreo';
if (!process.features.require_module) {
  throw new Error(
    `${PACKAGE} needs Node.js 20.19+ or 22.12+ to be loaded with require() (this is ${process.version}); ` +
      'upgrade Node.js, or load it with import()',
  );
}
// `__esModule` makes TypeScript's and Babel's CommonJS interop (`import()` compiled to `require`) take
// `default` as the default export instead of wrapping the whole namespace.
module.exports = { __esModule: true, ...require('./index.mjs') };
