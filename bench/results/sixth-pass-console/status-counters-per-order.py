import re,sys
rows=[]
for line in open(sys.argv[1]):
    parts=line.split('|')
    if len(parts)<3: continue
    t=int(parts[0]); label=parts[1].strip(); d=dict(re.findall(r'(\w+)=(\d+)',parts[2]))
    rows.append((t,label,{k:int(v) for k,v in d.items()}))
timed=[r for r in rows if 'Timed' in r[1]]
after=[r for r in rows if r[0]>timed[-1][0]]
a=timed[0]; b=after[min(len(after)-1,10)] if after else timed[-1]
print('window',b[0]-a[0],'s', ' '.join('%s=%.2f'%(k.replace('Com_',''),(b[2][k]-a[2][k])/3000) for k in a[2] if b[2][k]-a[2][k]))
