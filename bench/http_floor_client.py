"""Lone-call client for bench/http-floor.ts: boto3's headers and a small SWF-like JSON body, one
request at a time on one keep-alive connection, burning ~1.3 ms of CPU between calls as boto3 does
(bench:engine:boto3 measures the driver at 1.2-1.4 ms per call), so every call finds the server idle.

    python3 bench/http_floor_client.py <port> <calls>
"""
import http.client, json, sys, time
port=int(sys.argv[1]); n=int(sys.argv[2])
c=http.client.HTTPConnection('127.0.0.1', port)
hdr={'X-Amz-Target':'SimpleWorkflowService.PollForDecisionTask','Content-Type':'application/x-amz-json-1.0','User-Agent':'Boto3/1.34 md/Botocore#1.34 ua/2.0 os/linux#6 md/arch#x86_64 lang/python#3.11 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34','X-Amz-Date':'20261203T120000Z','Authorization':'AWS4-HMAC-SHA256 Credential=local/20261203/us-east-1/swf/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=' + '0'*64,'amz-sdk-invocation-id':'6f1c2f7e-0000-4000-8000-000000000000','amz-sdk-request':'attempt=1'}
body=json.dumps({'domain':'bench','taskList':{'name':'tl'},'identity':'x'})
def burn():
    # the client's own work between calls, as boto3 spends ~1.3 ms
    t=time.process_time()
    while time.process_time()-t < 0.0013: pass
for i in range(n):
    c.request('POST','/',body,hdr); r=c.getresponse(); r.read(); burn()
print('done')
