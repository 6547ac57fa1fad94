import json,collections,sys
c=collections.Counter(); ex=collections.defaultdict(list); src=collections.Counter()
for l in open('/tmp/out-all.jsonl'):
    r=json.loads(l)
    if r['label']=='benign' and r['action']!='ALLOW':
        g=r['ruleGroupList'][0]['terminatingRule'] if r['ruleGroupList'] and r['ruleGroupList'][0]['terminatingRule'] else None
        rid=r['terminatingRuleId']
        det=(g or {}).get('ruleMatchDetails') or []
        md=det[0].get('matchedData') if det else None
        c[rid]+=1; ex[rid].append((r['id'], md)); src[r['id'].split('-')[0]]+=1
print(src)
for k,v in c.most_common():
    print(v,k)
    for e in ex[k][:8]:
        if len(sys.argv)<2 or not e[0].startswith('crs'): print('    ',e[0], str(e[1])[:150])
