const {parser} = require('./out/parser');
function show(code){
  const tree = parser.parse(code);
  let out=[]; let depth=0;
  tree.iterate({enter(n){ out.push('  '.repeat(depth)+n.name+(n.node.firstChild?'':' '+JSON.stringify(code.slice(n.from,n.to)))+(n.type.isError?' !!ERR':'')); depth++; }, leave(){depth--;}});
  console.log(code); console.log(out.join('\n')); console.log('---');
}
for (const c of process.argv.slice(2)) show(c);
