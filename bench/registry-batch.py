#!/usr/bin/env python3
# Registers BATCHES x SIZE devices through POST /api/v1/devices/batch, one request after another on one
# connection, and prints the rate and the per-batch latency. Start a stack with only the registry and a quota
# above the run first, e.g.
#   HEARTBEAT_REGISTRY_MAX_DEVICES_PER_TENANT=1000000 java -Xmx1g -jar local-stack/target/local-stack-0.1.0-SNAPSHOT.jar \
#     --root . --fresh --data-dir target/bulk-stack --port-offset 800 --services device-registry-service
#   python3 bench/registry-batch.py target/bulk-stack/hb.properties full 100 1000
# usage: registry-batch.py HB_PROPERTIES ID_PREFIX BATCHES SIZE [TENANT]
import http.client, json, sys, time, urllib.parse
props = dict(l.strip().split('=',1) for l in open(sys.argv[1]) if '=' in l)
url = urllib.parse.urlparse(props['registry.url'])
token = props['token']
prefix, batches, size = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
tenant = sys.argv[5] if len(sys.argv) > 5 else 'bench'
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
t0 = time.time(); lat = []
for b in range(batches):
    devs = [{"id": f"{prefix}-{b*size+i:06d}", "tenantId": tenant, "name": f"bench {b*size+i}", "protocol": "MQTT",
             "profileId": "default", "remoteControlEnabled": True} for i in range(size)]
    body = json.dumps({"devices": devs})
    s = time.time()
    conn.request('POST', '/api/v1/devices/batch', body, {'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json'})
    r = conn.getresponse(); data = r.read()
    lat.append(time.time() - s)
    if r.status != 201:
        print('status', r.status, data[:500]); sys.exit(1)
el = time.time() - t0
lat.sort()
print(f"{batches*size} devices in {el:.1f} s = {batches*size/el:.0f}/s; per batch p50 {lat[len(lat)//2]*1000:.0f} ms max {lat[-1]*1000:.0f} ms; body {len(body)} bytes")
