"""Read a cohort from a clears server with an API token (Python, httpx).

Make a read token on the server's "API tokens" page (or ``clears tokens create``), then::

    export CLEARS_URL=https://clears.example.org
    export CLEARS_TOKEN=clears_...        # never write the token into the script
    python examples/read_cohort.py P01

It prints every patient the token may see (id, centre, drug, dose, last visit), walking the
list page by page, then one patient's baseline record and visits as JSON. A refused token
(expired, revoked, or its user disabled) stops with the server's answer.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx

PAGE_SIZE = 200


def patients(client: httpx.Client) -> Iterator[dict[str, Any]]:
    """Every patient of the list, following ``next_cursor`` until the last page."""
    params: dict[str, str | int] = {"limit": PAGE_SIZE}
    while True:
        page = client.get("/api/patients", params=params)
        page.raise_for_status()
        body = page.json()
        yield from body["patients"]
        if body["next_cursor"] is None:
            return
        params["cursor"] = body["next_cursor"]


def record(client: httpx.Client, patient_id: str) -> dict[str, Any]:
    """One patient's baseline values and visits."""
    path = f"/api/patients/{quote(patient_id, safe='')}"
    baseline = client.get(path)
    baseline.raise_for_status()
    visits = client.get(f"{path}/records/visits")
    visits.raise_for_status()
    return {"patient": baseline.json(), "visits": visits.json()}


def main(argv: list[str]) -> int:
    """Print the patient list, then the record of ``argv[0]`` if given."""
    url, token = os.environ["CLEARS_URL"], os.environ["CLEARS_TOKEN"]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        try:
            print("patient_id,centre,drug,dose_mg_per_day,last_visit")
            for row in patients(client):
                fields = ("patient_id", "centre", "drug", "dose_mg_per_day", "last_visit")
                print(",".join("" if row[f] is None else str(row[f]) for f in fields))
            if argv:
                print(json.dumps(record(client, argv[0]), indent=2))
        except httpx.HTTPStatusError as exc:
            print(f"refused: {exc.response.status_code} {exc.response.text}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
