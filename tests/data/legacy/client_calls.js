// Config API calls through @perspective-software/segment-api.
const SegmentApi = require('@perspective-software/segment-api');

const segmentApi = new SegmentApi({WORKSPACE: 'acme', TOKEN: process.env.TOKEN});
const types = await segmentApi.getCatalogDestination({name: 'facebook-pixel'});
await segmentApi.createDestination({source: 'web', destination: 'amplitude',
  destinationConfig: [{name: 'apiKey', value: key}]});
await segmentApi.getTokenList({username, password});
