// Config API calls as a Node tool held them.
const BASE = 'https://platform.segmentapis.com/v1beta';
const ws = process.env.WS;

async function filters(src, dst) {
  return fetch(`${BASE}/workspaces/${ws}/sources/${src}/destinations/${dst}/filters`);
}

async function removeFilter(src, dst, id) {
  return fetch(`${BASE}/workspaces/${ws}/sources/${src}/destinations/${dst}/filters/${id}`, {
    method: 'DELETE',
  });
}

const catalog = axios.get('https://platform.segmentapis.com/v1beta/catalog/destinations');
