"""Config API calls through the segment-config-api client library."""
import os

from segment_config_api.api import SegmentConfigApi

api = SegmentConfigApi(os.environ["SEGMENT_CONFIG_API_ACCESS_TOKEN"])
api.workspaces.list()
ws = api.workspace("acme")
ws.sources.list()
js = ws.source("js")
js.get_schema_config()
ga = js.destination("google-analytics")
ga.update({"destination": {"enabled": False}, "update_mask": {"paths": ["destination.enabled"]}})
ga.event_delivery_metrics.batch_get_timeseries(["successes"])
ws.tracking_plan("rs_123").update({"tracking_plan": {"display_name": "x"}})
ws.regulation("1KQV").delete()
api.integrations_catalog.destination("customerio").get()
api.role_policy(policy_name).delete()
