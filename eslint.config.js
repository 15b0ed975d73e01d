// ESLint flat config: typescript-eslint's type-checked presets plus the rules the house style
// requires (promises, exhaustive switches, type imports) and the layering of src/ folders.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Folders under src/ and what each may import (besides itself and lib). */
const layers = {
  config: [],
  ipvs: ['config'],
  vrrp: ['config', 'sys'],
  check: ['config', 'sys'],
  notify: ['config'],
  dataplane: ['ipvs', 'config', 'sys'],
  control: ['ipvs', 'config'],
  web: ['control', 'config', 'ipvs'],
  sys: [],
  lib: [],
};
const all = [
  'lib',
  'sys',
  'config',
  'ipvs',
  'dataplane',
  'check',
  'vrrp',
  'notify',
  'control',
  'daemon',
  'cli',
  'web',
];

const layerConfigs = Object.entries(layers).map(([folder, allowed]) => {
  const forbidden = all.filter((f) => f !== folder && f !== 'lib' && !allowed.includes(f));
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((f) => ({
            group: [`**/${f}/*`, `../${f}/*`, `../../${f}/*`],
            message: `src/${folder} must not import src/${f} (see house-style.md, layout).`,
          })),
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['build/**', 'node_modules/**', 'scripts/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unnecessary-condition': [
        'error',
        { allowConstantLoopConditions: true },
      ],
      // Keyword tables write `(d, v) => (d.field = v)`; the assignment's value is unused on purpose.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' },
      ],
    },
  },
  ...layerConfigs,
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests narrow with optional chains after assertions; the extra `?.` is harmless there.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
);
