/** The app's URLs, in one place; the server answers each of them with index.html. */
export const paths = {
  workflows: () => '/',
  workflow: (id: string) => `/workflows/${encodeURIComponent(id)}`,
  editWorkflow: (id: string, options: { sampleId?: string } = {}) =>
    `/workflows/${encodeURIComponent(id)}/edit${options.sampleId ? `?sample=${encodeURIComponent(options.sampleId)}` : ''}`,
  overview: (id: string) => `/workflows/${encodeURIComponent(id)}/overview`,
  requests: (id: string) => `/workflows/${encodeURIComponent(id)}/requests`,
  runs: (filter: { workflowId?: string; status?: string } = {}) => {
    const query = new URLSearchParams();
    if (filter.workflowId) query.set('workflow', filter.workflowId);
    if (filter.status) query.set('status', filter.status);
    const search = query.toString();
    return search ? `/runs?${search}` : '/runs';
  },
  run: (id: string) => `/runs/${encodeURIComponent(id)}`,
  credentials: () => '/credentials',
  audit: () => '/audit',
  login: () => '/login',
  setup: () => '/setup',
  users: () => '/users',
  tokens: () => '/account/tokens',
  changePassword: () => '/account/password',
};
