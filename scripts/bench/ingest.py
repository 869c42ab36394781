"""Upload N valid bpvo records over HTTP in batches and print records/s; then the same again
(all unchanged). Standard library only. Usage: ingest.py BASE_URL [N] [BATCH] [CONCURRENCY] [CSV_OUT]"""
import datetime
import json
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

base = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 5_000
concurrency = int(sys.argv[4]) if len(sys.argv) > 4 else 2
csv_out = sys.argv[5] if len(sys.argv) > 5 else None
TODAY = datetime.date.today()

VOORNAMEN = ["Zoë", "Daan", "Noëlle", "Sem", "Chloë", "Luuk", "Daniël", "Fleur", "Renée", "Mohammed"]
ACHTERNAMEN = ["Çelik-de Vries", "Jansen", "Bakker", "Öztürk", "El Amrani", "van der Berg", "Visser"]


def record(i):
    # The demo's registered locaties: each aanbieder's first (uploads are checked against RIO).
    aanbieder, locatie = ("251A100", "251X111") if i % 2 == 0 else ("251A200", "251X121")
    return {
        "correlatieId": f"BENCH-{i:07d}",
        "leerbedrijfCode": str(100_000_000 + (i * 7919) % 899_999_999),
        "creboCode": ["25604", "25480", "25180", "25255"][i % 4],
        # Relative to today, so the records stay in the future whenever the benchmark runs.
        "startdatum": (TODAY + datetime.timedelta(days=30)).isoformat(),
        "geplandeEinddatum": (TODAY + datetime.timedelta(days=150 + i % 270)).isoformat(),
        "leerwegNaam": "BOL" if i % 3 else "BBL",
        "student": {
            "emailadres": f"student{i}@student.amstelvliet.nl",
            "studentcode": str(2_000_000 + i),
            "naam": f"{VOORNAMEN[i % len(VOORNAMEN)]} {ACHTERNAMEN[i % len(ACHTERNAMEN)]}",
        },
        "school": {"schoolnaam": "ROC Amstelvliet", "locatiecode": locatie, "aanbiedercode": aanbieder},
    }


def token():
    req = urllib.request.Request(
        f"{base}/oauth/token",
        data=b"grant_type=client_credentials&client_id=bpv_demo_25lx&client_secret=demo-geheim-alleen-voor-deze-demo",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(req) as r:
        return json.load(r)["access_token"]


records = [record(i) for i in range(n)]
bodies = [json.dumps({"records": records[i : i + batch]}).encode() for i in range(0, n, batch)]
if csv_out:
    # The same rows as CSV, for the PostgreSQL COPY reference.
    with open(csv_out, "w", encoding="utf-8") as f:
        for r in records:
            s, sc = r["student"], r["school"]
            f.write(",".join([r["correlatieId"], sc["aanbiedercode"], r["leerbedrijfCode"], r["creboCode"],
                              r["leerwegNaam"], r["startdatum"], r["geplandeEinddatum"], s["emailadres"],
                              s["studentcode"], '"' + s["naam"] + '"', sc["schoolnaam"], sc["locatiecode"]]) + "\n")
tok = token()


def send(body):
    req = urllib.request.Request(
        f"{base}/v1/bpvo-batches", data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {tok}"},
    )
    with urllib.request.urlopen(req, timeout=600) as r:
        a = json.load(r)
    return a["aangemaakt"], a["bijgewerkt"], a["ongewijzigd"], a["afgewezen"]


def run(label):
    t = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        counts = [sum(c) for c in zip(*pool.map(send, bodies))]
    dt = time.perf_counter() - t
    print(f"  {label:<28} {n} records in {dt:6.2f} s = {n / dt:9,.0f} records/s "
          f"(created {counts[0]}, updated {counts[1]}, unchanged {counts[2]}, rejected {counts[3]})")
    return n / dt


run("first upload")
run("re-upload (all unchanged)")
