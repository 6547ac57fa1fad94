import json,random,sys
cls=sys.argv[1]; n=int(sys.argv[2]) if len(sys.argv)>2 else 40
random.seed(7)
miss=set(json.loads(l)['id'] for l in open('/tmp/out-all.jsonl') if json.loads(l)['class']==cls and json.loads(l)['action']=='ALLOW' and json.loads(l)['label']=='attack')
rs=[]
for f in ['crs-regression','gotestwaf','mgm-payloads']:
    rs+=[json.loads(l) for l in open('/work/shared/corpora/waf/%s.jsonl'%f)]
ms=[r for r in rs if r['id'] in miss]
print(len(ms))
for r in random.sample(ms,min(n,len(ms))):
    h=[x for x in r['headers'] if x[0].lower() not in ('host','connection','accept','content-length','accept-encoding','accept-language','origin')]
    print(r['id'][:24], r['method'], r['uri'][:110], '|', (r.get('body') or '')[:140].replace('\n','\\n').replace('\r',''), '|', str(h)[:100] if len(sys.argv)>3 else '')
