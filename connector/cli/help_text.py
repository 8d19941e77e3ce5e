"""Help beyond each option's own line: exit codes, and where connection settings come from.

The connection help states the values in use now (from the environment and the
profile named on the command line), read the way Connection.resolve reads them.
"""

from __future__ import annotations

import os

from connector.connection import (
    DEFAULT_REGION,
    ENVIRONMENT,
    Connection,
    config_path,
    load_profile,
)
from connector.errors import InputError
from connector.redact import redact

PROG = "segment-connector"
# Where each connection setting comes from, first found wins, as Connection.resolve
# decides (a test holds the two together); help and the epilog are written from it.
CONNECTION_ORDER = ("flag", "environment", "profile")
LAYER_NAMES = {"flag": "flag", "profile": "--profile", "environment": "environment"}

EXIT_CODES = """\
exit codes:
  0    success
  1    internal error (a bug: please report it); run --batch: some lines failed
  2    bad input or usage, nothing was sent: unknown action, picklist or input,
       a value of the wrong type, an unreadable file, a missing token, ...
  3    the API answered with an error (4xx, or 5xx after the retries)
  4    no answer came: timeout, connection failure, --deadline spent
  130  interrupted (Ctrl-C); 143 terminated (SIGTERM)
  141  stdout was closed before all output was written (e.g. `| head`)"""

BATCH_EXIT_CODES = """\
exit codes with --batch:
  0    every line ran, or was done by an earlier run with the same --results
  1    some lines failed: their records in the results file say why (rerun to
       retry those that are safe to repeat)
  2    nothing ran: missing or unreadable FILE, refused --results, bad option
  4    no answer came from the API (the lines that failed could not reach it);
       with --distributed also: Redis lost, full or out of reach, or no worker
       answered
  130  interrupted (Ctrl-C), 143 terminated (SIGTERM): calls in flight were
       recorded; rerun with the same --results to go on
  The summary ({"total", "ok", "errors", ...}) is printed on stdout either way."""


def connection_now(profile: str | None) -> dict[str, str]:
    """What --token, --region and --base-url would be if left out, and where from.

    Help only. The values are Connection.resolve's own (environment, and the
    profile when `--profile` is on the command line); the token is never shown.
    """
    try:
        now = Connection.resolve(profile=profile)
        prof = load_profile(profile) if profile else {}
    except InputError as exc:  # help still shows, saying what is wrong
        problem = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        unusable = f"now: unusable, {problem}"
        return {"token": unusable, "region": unusable, "base_url": unusable,
                "profile": f"config file: {config_path()}"}
    layers = {"environment": lambda key: os.environ.get(ENVIRONMENT[key]),
              "profile": lambda key: prof.get(key)}

    def origin(key: str, value: str | None, skip: str = "") -> str:
        # The first layer, in the order resolve reads them, that holds the value.
        for layer in CONNECTION_ORDER[1:]:
            if value and layer != skip and layers[layer](key) == value:
                return f"${ENVIRONMENT[key]}" if layer == "environment" else \
                    f"profile {profile!r}"
        return "built in"

    token_from = origin("token", now.token)
    # A profile's token keeps the profile's host: the environment's is not read then.
    skip = "environment" if token_from.startswith("profile") else ""
    region_from = origin("region", now.region, skip)
    base_from = origin("base_url", now.base_url, skip)
    return {
        "token": (f"now: one is set, from {token_from}" if now.token else
                  "now: none set; give --token, $SEGMENT_API_TOKEN or a profile's token"),
        "region": (f"default: {now.region}, from {region_from}" if region_from != "built in"
                   else f"default: {now.region}"),
        "base_url": (f"default: {redact(now.base_url)}, from {base_from}" if now.base_url
                     else "default: none, the region's API host"),
        "profile": f"config file: {config_path()}",
    }


def settings_order() -> str:
    described = {
        "flag": "flags: --token, --region, --base-url",
        "profile": "the profile named by --profile, in the config file\n"
                   f"     ({config_path()}; $SEGMENT_CONNECTOR_CONFIG moves it)",
        "environment": "environment: $SEGMENT_API_TOKEN, $SEGMENT_REGION, $SEGMENT_BASE_URL",
    }
    lines = [f"  {i}. {described[layer]}" for i, layer in enumerate(CONNECTION_ORDER, 1)]
    lines.append(f"  {len(lines) + 1}. built in: region {DEFAULT_REGION}, no token, "
                 "no base URL")
    lines.append("  A profile's token goes only to that profile's host: when the token comes "
                 "from the\n  profile, $SEGMENT_REGION and $SEGMENT_BASE_URL are not read.")
    return "connection settings (token, region, base URL), first found wins:\n" + \
        "\n".join(lines)
