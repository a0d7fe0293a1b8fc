// ESLint for the TypeScript sources and tests: typescript-eslint's recommended
// rules, the Jupyter plugin (JupyterLab's conventions), React, and the naming
// rules of the JupyterLab extension template. Formatting is prettier's job.
import js from '@eslint/js';
import jupyter from '@jupyter/eslint-plugin';
import prettier from 'eslint-config-prettier';
import react from 'eslint-plugin-react';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'lib/',
      'node_modules/',
      'jupyterlab_github_token/labextension/',
      '.venv/',
      'test/e2e/test-results/',
      'test/bench/results/',
      '**/.state/',
      'coverage/'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...jupyter.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { react },
    languageOptions: { globals: { ...globals.browser } },
    settings: { react: { version: '18' } },
    rules: {
      ...react.configs.recommended.rules,
      'react/prop-types': 'off',
      '@typescript-eslint/naming-convention': [
        'error',
        { selector: 'interface', format: ['PascalCase'], custom: { regex: '^I[A-Z]', match: true } }
      ],
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      curly: ['error', 'all'],
      eqeqeq: 'error',
      'prefer-arrow-callback': 'error'
    }
  },
  {
    files: ['test/**/*.{ts,tsx,js}', '*.{js,mjs}', 'test/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      // Tests reach into untyped page globals and hand-built fakes.
      '@typescript-eslint/no-explicit-any': 'off',
      // Tests and test tooling are not part of the translated UI.
      'jupyter/no-untranslated-string': 'off'
    }
  },
  prettier
);
