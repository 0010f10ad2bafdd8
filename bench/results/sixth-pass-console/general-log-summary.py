import re,collections,sys
lines=open('/tmp/gl.log',errors='replace').read().split('\n')
# join continuation lines
entries=[]
pat=re.compile(r'^(?:\d{6}\s+\d+:\d+:\d+\s+)?\s*(\d+)\s+(Query|Execute|Prepare|Connect|Quit|Init DB|Close stmt|Reset stmt|Statistics|Ping)\t?(.*)$')
for l in lines:
    m=pat.match(l.strip('\t') if l.startswith('\t') else l)
    if m: entries.append([int(m.group(1)),m.group(2),m.group(3)])
    elif entries: entries[-1][2]+=' '+l
svc_tables={'orders':['`orders`','order_items','order_timeline','`order_offers`'],'payments':['`payments`','payment_events','refunds'],'riders':['dispatch_rounds','`riders`','rider_offers','`offers`'],'products':['stock_holds','`products`','merchants'],'operations':['order_facts','campaign','ad_','audit_log','discount']}
thread_svc={}
for t,c,a in entries:
    for s,tabs in svc_tables.items():
        if any(x in a for x in tabs): thread_svc.setdefault(t,s)
kind=collections.Counter(); per=collections.Counter()
for t,c,a in entries:
    if c not in ('Query','Execute'): continue
    s=thread_svc.get(t,'?')
    w=a.strip().lower()
    m=re.match(r'(select|insert into|update|delete from|set transaction|begin|commit|rollback|start transaction|set)\s*(`?\w+`?)?',w)
    k=(m.group(1)+' '+(m.group(2) or '')) if m else w[:30]
    if k.startswith('select'):
        mm=re.search(r'from\s+(`?\w+`?)',w); k='select '+(mm.group(1) if mm else '')
        if 'for update' in w: k+=' FOR UPDATE'
    kind[(s,k)]+=1; per[s]+=1
tot=sum(per.values()); print('total',tot, dict(per))
for (s,k),n in sorted(kind.items(), key=lambda x:(x[0][0],-x[1])): print(f'{s:10} {n:6} {k}')
