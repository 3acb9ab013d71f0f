/**
 * Jest on Node 20 cannot load ES-module-only packages (NestJS 12 is one), so the tests turn them into
 * CommonJS with Babel. `import.meta` has no CommonJS form; its two uses in those packages are mapped
 * to their CommonJS equivalents, import() becomes require(), and a module's own `require` made by createRequire is dropped.
 */
function importMetaToCommonJs({ types: t }) {
  return {
    visitor: {
      // `const require = createRequire(import.meta.url)` would shadow CommonJS's own require.
      // Done on entering the program, before the CommonJS transform renames the binding.
      Program(program) {
        for (const statement of program.get('body')) {
          if (!statement.isVariableDeclaration()) {
            continue;
          }
          for (const declarator of statement.get('declarations')) {
            const { id, init } = declarator.node;
            if (
              t.isIdentifier(id, { name: 'require' }) &&
              t.isCallExpression(init) &&
              t.isIdentifier(init.callee, { name: 'createRequire' })
            ) {
              declarator.remove();
            }
          }
        }
      },
      // Jest without --experimental-vm-modules cannot run import(); CommonJS require does the same here.
      CallExpression(path) {
        if (path.node.callee.type === 'Import') {
          path.replaceWith(
            t.callExpression(t.memberExpression(t.callExpression(t.memberExpression(t.identifier('Promise'), t.identifier('resolve')), []), t.identifier('then')), [
              t.arrowFunctionExpression([], t.callExpression(t.identifier('require'), path.node.arguments)),
            ]),
          );
        }
      },
      MetaProperty(path) {
        if (path.node.meta.name !== 'import' || path.node.property.name !== 'meta') {
          return;
        }
        const parent = path.parentPath;
        if (parent.isMemberExpression() && t.isIdentifier(parent.node.property, { name: 'url' })) {
          parent.replaceWithSourceString("require('url').pathToFileURL(__filename).href");
        } else if (parent.isMemberExpression() && t.isIdentifier(parent.node.property, { name: 'resolve' })) {
          parent.replaceWithSourceString('require.resolve');
        } else if (parent.isMemberExpression() && t.isIdentifier(parent.node.property, { name: 'dirname' })) {
          parent.replaceWithSourceString('__dirname');
        } else if (parent.isMemberExpression() && t.isIdentifier(parent.node.property, { name: 'filename' })) {
          parent.replaceWithSourceString('__filename');
        }
      },
    },
  };
}

module.exports = {
  plugins: [importMetaToCommonJs, ['@babel/plugin-transform-modules-commonjs', { importInterop: 'node' }]],
};
