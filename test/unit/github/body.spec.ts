import { bodyMessage } from '../../../src/github/body';

const BAD_CREDENTIALS = {
  message: 'Bad credentials',
  documentation_url: 'https://docs.github.com/rest',
  status: '401'
};

describe('bodyMessage', () => {
  it('never trusts the body', () => {
    expect(bodyMessage(BAD_CREDENTIALS)).toBe('Bad credentials');
    expect(bodyMessage(JSON.stringify(BAD_CREDENTIALS))).toBe('Bad credentials');
    expect(bodyMessage('<html>Proxy error</html>')).toBeUndefined();
    expect(bodyMessage('{not json')).toBeUndefined();
    expect(bodyMessage(null)).toBeUndefined();
    expect(bodyMessage(42)).toBeUndefined();
    expect(bodyMessage(['message'])).toBeUndefined();
    expect(bodyMessage({ message: 42 })).toBeUndefined();
    expect(bodyMessage({ message: 'x'.repeat(5000) })!.length).toBeLessThanOrEqual(300);
  });

  it('redacts anything that looks like a token', () => {
    expect(bodyMessage({ message: 'token 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 is bad' })).toBe(
      'token [redacted] is bad'
    );
  });

  it('redacts old 40-character hexadecimal tokens', () => {
    const legacy = 'e72e16c7e42f292c6912e7710c838347ae178b4a';
    expect(bodyMessage({ message: `Bad credentials for token ${legacy}.` })).toBe(
      'Bad credentials for token [redacted].'
    );
    expect(bodyMessage({ message: `Authorization: token ${legacy}` })).toBe('Authorization: token [redacted]');
    // In quotes, after "=", in JSON strings, at the start and the end.
    expect(bodyMessage({ message: `token="${legacy}"` })).toBe('token="[redacted]"');
    expect(bodyMessage({ message: `${legacy}` })).toBe('[redacted]');
    expect(bodyMessage(JSON.stringify({ message: `oauth_token=${legacy}&x=1` }))).toBe('oauth_token=[redacted]&x=1');
    // Upper case, and glued to more hexadecimal digits.
    expect(bodyMessage({ message: `T ${legacy.toUpperCase()}` })).toBe('T [redacted]');
    expect(bodyMessage({ message: `x ${legacy}0123abcd y` })).toBe('x [redacted] y');
    // Several tokens, of both formats.
    expect(
      bodyMessage({
        message: `${legacy} and 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 and token_gho_abcdEF0123`
      })
    ).toBe('[redacted] and [redacted] and token_[redacted]');
  });

  it('keeps ordinary text and shorter hexadecimal strings', () => {
    expect(bodyMessage({ message: 'Commit 0123456789abcdef0123456789abcdef0123456 not found' })).toBe(
      'Commit 0123456789abcdef0123456789abcdef0123456 not found'
    );
    expect(bodyMessage({ message: 'Not Found' })).toBe('Not Found');
  });
});
