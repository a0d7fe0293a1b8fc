/** The settings: the defaults are the schema's, the new choices (keychain, notebook fields) included. */
import schema from '../../schema/plugin.json';
import { DEFAULT_SETTINGS, readSettings, withDefaults } from '../../src/settings';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';

describe('settings', () => {
  it("every default is the schema's, and every schema property has one", () => {
    const properties = schema.properties as Record<string, { default: unknown }>;
    expect(Object.keys(DEFAULT_SETTINGS).sort()).toEqual(Object.keys(properties).sort());
    for (const [key, property] of Object.entries(properties)) {
      expect([key, DEFAULT_SETTINGS[key as keyof typeof DEFAULT_SETTINGS]]).toEqual([key, property.default]);
    }
  });

  it('"Remember on this computer" is off and notebook fields ask, by default', () => {
    expect(DEFAULT_SETTINGS.rememberOnThisComputer).toBe(false);
    expect(DEFAULT_SETTINGS.fillNotebookFields).toBe('ask');
    expect(schema.properties.rememberOnThisComputer.title).toBe('Remember on this computer');
    expect(schema.properties.fillNotebookFields.oneOf.map(choice => choice.const)).toEqual(['ask', 'always', 'never']);
  });

  it('reads the composite, completed with the defaults', () => {
    const settings = { composite: { rememberOnThisComputer: true, fillNotebookFields: 'never' } };
    expect(readSettings(settings as unknown as ISettingRegistry.ISettings)).toEqual({
      ...DEFAULT_SETTINGS,
      rememberOnThisComputer: true,
      fillNotebookFields: 'never'
    });
    expect(readSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(withDefaults(undefined)).toEqual(DEFAULT_SETTINGS);
  });
});
