import { describeCandidate } from '../../../src/notebook/describe';
import { trans } from '../support/trans';

const ID = '4ec0c17515004facba0716172ecfcf09';

describe('describeCandidate', () => {
  it('names widgets by class, description (without HTML) and variables, cells by position', () => {
    expect(
      describeCandidate(
        {
          kind: 'widget',
          id: ID,
          widgetClass: 'Password',
          description: '<b>Token</b>',
          names: ['t'],
          empty: true
        },
        trans
      )
    ).toBe('Password field "Token" (t)');
    expect(
      describeCandidate(
        {
          kind: 'assignment',
          cellIndex: 2,
          line: 0,
          variable: 'GH_TOKEN',
          current: 'empty',
          preview: 'GH_TOKEN = ""'
        },
        trans
      )
    ).toBe('Cell 3, line 1: GH_TOKEN = ""');
  });
});
