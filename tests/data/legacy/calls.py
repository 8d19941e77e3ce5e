"""Config API calls as a Python tool held them."""
import requests

BASE = "https://platform.segmentapis.com/v1beta"
WS = "acme"


def sources(session: requests.Session) -> list:
    return session.get(f"{BASE}/workspaces/{WS}/sources").json()["sources"]


def plan(session: requests.Session, plan_id: str) -> dict:
    return requests.get("https://platform.segmentapis.com/v1beta/workspaces/%s/tracking-plans/%s"
                        % (WS, plan_id)).json()


def connect(session: requests.Session, plan_id: str, src: str) -> None:
    session.post(BASE + "/workspaces/" + WS + "/tracking-plans/" + plan_id + "/source-connections",
                 json={"source_name": f"workspaces/{WS}/sources/{src}"})


def forget(session: requests.Session, user: str) -> None:
    session.post(f"{BASE}/workspaces/{WS}/regulations",
                 json={"regulation_type": "Suppress_With_Delete",
                       "attributes": {"name": "userId", "values": [user]}})
