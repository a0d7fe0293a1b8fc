import { parseRepoFullName } from '../../../src/github/repository';

describe('parseRepoFullName', () => {
  it.each([
    ['octocat/Hello-World', { owner: 'octocat', repo: 'Hello-World' }],
    ['  octocat/hello.world_2  ', { owner: 'octocat', repo: 'hello.world_2' }],
    ['https://github.com/octocat/Hello-World', { owner: 'octocat', repo: 'Hello-World' }],
    ['https://github.com/octocat/Hello-World.git', { owner: 'octocat', repo: 'Hello-World' }],
    ['https://github.com/octocat/Hello-World/', { owner: 'octocat', repo: 'Hello-World' }]
  ])('accepts %p', (input, expected) => {
    expect(parseRepoFullName(input)).toEqual(expected);
  });

  it.each([
    '',
    'octocat',
    'octocat/',
    '/repo',
    'a/b/c',
    'octocat/..',
    'octocat/.',
    'octo cat/repo',
    '-octocat/repo',
    'octocat/re po',
    "octocat/re'po",
    'https://github.com/octocat',
    'https://github.com/octocat/Hello-World/tree/main',
    'https://github.com/octocat/Hello-World?tab=readme',
    'https://github.com/octocat/Hello-World#readme',
    'http://github.com/octocat/Hello-World',
    'https://gitlab.com/octocat/Hello-World',
    'https://github.com.evil.com/octocat/Hello-World',
    'https://user@github.com/octocat/Hello-World',
    'git@github.com:octocat/Hello-World.git',
    'javascript:alert(1)'
  ])('rejects %p', input => {
    expect(parseRepoFullName(input)).toBeUndefined();
  });

  it('accepts URLs of the configured GitHub Enterprise host', () => {
    expect(parseRepoFullName('https://github.example.com/team/project.git', 'https://github.example.com')).toEqual({
      owner: 'team',
      repo: 'project'
    });
    expect(parseRepoFullName('https://github.example.com/team/project')).toBeUndefined();
  });
});
