import json,sys,collections
recs=[json.loads(l) for l in open(sys.argv[1])]
c=collections.defaultdict(lambda:[0,0])
for r in recs:
    k=(r['label'],r['class'])
    c[k][0]+=1; c[k][1]+= r['action']!='ALLOW'
ta=sum(v[0] for k,v in c.items() if k[0]=='attack'); tb=sum(v[1] for k,v in c.items() if k[0]=='attack')
ba=sum(v[0] for k,v in c.items() if k[0]=='benign'); bb=sum(v[1] for k,v in c.items() if k[0]=='benign')
print('TPR %.2f%% (%d/%d)  FPR %.2f%% (%d/%d)'%(100*tb/ta,tb,ta,100*bb/max(ba,1),bb,ba))
for k,v in sorted(c.items(), key=lambda x:-x[1][0]):
    print('  %-22s %5d %6.2f%%'%(k[1],v[0],100*v[1]/v[0]))
