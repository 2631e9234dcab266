#include "checker/report/html_page.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "checker/report/json_value.h"
#include "checker/report/report_common.h"

namespace fenceline::internal {
namespace {

constexpr std::string_view kStyle = R"CSS(
body{font-family:system-ui,sans-serif;margin:1.2em 2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-top:1px solid #ddd;padding-top:.8em}
table.index{border-collapse:collapse}table.index td{padding:.15em .8em;border-bottom:1px solid #eee}
.v-valid{color:#1e8449}.v-invalid{color:#c0392b;font-weight:bold}.v-unknown{color:#b9770e}.v-error{color:#7d3c98}
ul.findings li{margin:.3em 0;max-width:70em}
.legend span{display:inline-block;padding:0 .5em;margin:0 .4em .3em 0;border:1px solid #777;font-size:.85em}
.pic{margin:.6em 0 1.2em}.pic .bar{user-select:none}.pic svg{border:1px solid #ccc;background:#fff;cursor:grab;display:block}
.pic button{margin-right:.3em}.note{color:#555;font-size:.9em}
#tip{position:fixed;pointer-events:none;background:#ffffe8;border:1px solid #999;padding:.35em .5em;font:12px monospace;white-space:pre-wrap;max-width:44em;display:none;z-index:9}
rect.lin,.legend .lin{fill:#9fd89f;background:#9fd89f}rect.bad,.legend .bad{fill:#e74c3c;background:#e74c3c}
rect.proof,.legend .proof{fill:#f5b041;background:#f5b041}rect.other,.legend .other{fill:#d5d8dc;background:#d5d8dc}
rect.lease,.legend .lease{fill:#5dade2;background:#5dade2}rect.maybe,.legend .maybe{fill:#d6eaf8;background:#d6eaf8}
rect.focus{stroke:#000;stroke-width:2}
.mk-ok{fill:#1e8449}.mk-rejected{fill:#c0392b}.mk-unknown{fill:#999}.mk-grant{fill:#2471a3}.mk-expire{fill:#7d3c98}.mk-violation{fill:#c0392b}
line.violation{stroke:#c0392b;stroke-width:2;stroke-dasharray:5 3}line.grid{stroke:#eee}
)CSS";

// The drawing script. Data: window.FENCELINE = {files:[{pictures:[...]}]}. Each picture is
// drawn into its .pic element; views are [v0, v1] in the picture's time unit.
constexpr std::string_view kScript = R"JS(
(function(){
var D=JSON.parse(document.getElementById('fenceline-data').textContent);
var tip=document.getElementById('tip');
var NS='http://www.w3.org/2000/svg';
function esc(s){return String(s).replace(/[&<>"']/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c];});}
function fmt(t,timed,step){if(!timed)return String(Math.round(t));var u=step<1e3?[1,' ns']:step<1e6?[1e3,' µs']:step<1e9?[1e6,' ms']:[1e9,' s'];var d=Math.max(0,Math.min(6,-Math.floor(Math.log10(step/u[0])+1e-9)));return (t/u[0]).toFixed(d)+u[1];}
function ticks(a,b){var span=b-a,step=Math.pow(10,Math.floor(Math.log10(span/6)));if(span/step>12)step*=5;else if(span/step>6)step*=2;var out=[];for(var t=Math.ceil(a/step)*step;t<=b;t+=step)out.push(t);return out;}
function Pic(el,p){
  this.el=el;this.p=p;var self=this;
  this.W=Math.max(640,Math.min(1600,(el.clientWidth||1100)));this.left=130;this.laneH=26;this.top=26;
  this.H=this.top+p.lanes.length*this.laneH+(p.density.length?34:8);
  var lo=p.lo,hi=Math.max(p.hi,p.lo+1);this.lo=lo;this.hi=hi;
  if(p.focus){var f0=p.focus[0],f1=Math.max(p.focus[1],p.focus[0]+1),pad=(f1-f0)*0.15;this.v0=f0-pad;this.v1=f1+pad;}else{this.v0=lo;this.v1=hi;}
  var ctl=document.createElement('div');
  ctl.innerHTML='<button data-a="in">+</button><button data-a="out">&minus;</button><button data-a="fit">whole history</button>'+(p.focus?'<button data-a="focus">violation</button>':'')+' <span class="note">wheel: zoom, drag: pan</span>';
  el.appendChild(ctl);
  ctl.addEventListener('click',function(e){var a=e.target.getAttribute('data-a');if(!a)return;var m=(self.v0+self.v1)/2,h=(self.v1-self.v0)/2;
    if(a==='in'){self.v0=m-h/2;self.v1=m+h/2;}else if(a==='out'){self.v0=m-h*2;self.v1=m+h*2;}else if(a==='fit'){self.v0=self.lo;self.v1=self.hi;}else if(a==='focus'){var f0=p.focus[0],f1=Math.max(p.focus[1],f0+1),pad=(f1-f0)*0.15;self.v0=f0-pad;self.v1=f1+pad;}self.draw();});
  this.svg=document.createElementNS(NS,'svg');this.svg.setAttribute('width',this.W);this.svg.setAttribute('height',this.H);el.appendChild(this.svg);
  if(p.note){var n=document.createElement('div');n.className='note';n.textContent=p.note;el.appendChild(n);}
  this.svg.addEventListener('wheel',function(e){e.preventDefault();var r=self.svg.getBoundingClientRect();var x=e.clientX-r.left;if(x<self.left)return;var t=self.T(x);var k=e.deltaY<0?0.8:1.25;self.v0=t-(t-self.v0)*k;self.v1=t+(self.v1-t)*k;self.draw();},{passive:false});
  var drag=null;
  this.svg.addEventListener('mousedown',function(e){drag={x:e.clientX,v0:self.v0,v1:self.v1};self.svg.style.cursor='grabbing';});
  window.addEventListener('mouseup',function(){drag=null;self.svg.style.cursor='';});
  window.addEventListener('mousemove',function(e){if(!drag)return;var dt=(e.clientX-drag.x)*(drag.v1-drag.v0)/(self.W-self.left);self.v0=drag.v0-dt;self.v1=drag.v1-dt;self.draw();});
  this.svg.addEventListener('mousemove',function(e){var g=e.target.closest?e.target.closest('[data-tip]'):null;if(!g){tip.style.display='none';return;}tip.textContent=g.getAttribute('data-tip');tip.style.display='block';tip.style.left=Math.min(e.clientX+14,window.innerWidth-360)+'px';tip.style.top=(e.clientY+14)+'px';});
  this.svg.addEventListener('mouseleave',function(){tip.style.display='none';});
  this.draw();
}
Pic.prototype.X=function(t){return this.left+(t-this.v0)*(this.W-this.left-8)/(this.v1-this.v0);};
Pic.prototype.T=function(x){return this.v0+(x-this.left)*(this.v1-this.v0)/(this.W-this.left-8);};
Pic.prototype.draw=function(){
  var p=this.p,s=[],self=this,W=this.W,lh=this.laneH,top=this.top,span=this.v1-this.v0;
  s.push('<defs><clipPath id="c'+this.el.id+'"><rect x="'+this.left+'" y="0" width="'+(W-this.left)+'" height="'+this.H+'"/></clipPath></defs>');
  var tk=ticks(this.v0,this.v1),step=tk.length>1?tk[1]-tk[0]:span;
  tk.forEach(function(t){var x=self.X(t);if(x<self.left)return;s.push('<line class="grid" x1="'+x+'" x2="'+x+'" y1="'+(top-4)+'" y2="'+(top+p.lanes.length*lh)+'"/><text x="'+(x+2)+'" y="14" font-size="11" fill="#555">'+esc(fmt(t,p.timed,step))+'</text>');});
  p.lanes.forEach(function(name,i){var y=top+i*lh;s.push('<text x="4" y="'+(y+17)+'" font-size="12">'+esc(name.length>18?name.slice(0,17)+'…':name)+'</text><line class="grid" x1="0" x2="'+W+'" y1="'+(y+lh)+'" y2="'+(y+lh)+'"/>');});
  s.push('<g clip-path="url(#c'+this.el.id+')">');
  p.bars.forEach(function(b,i){var t1=b.t1===null?self.hi:b.t1;if(t1<self.v0||b.t0>self.v1)return;var x0=self.X(b.t0),x1=self.X(t1),w=Math.max(3,x1-x0);var y=top+b.lane*lh+3;
    s.push('<g data-tip="'+esc(b.tip)+'"'+(b.focus?' data-focus="1"':'')+'><rect class="'+b.cls+(b.focus?' focus':'')+'" x="'+x0+'" y="'+y+'" width="'+w+'" height="'+(lh-7)+'" rx="2"'+(b.t1===null?' stroke="#555" stroke-dasharray="4 2"':' stroke="#666" stroke-width="0.5"')+'/>');
    if(w>26&&b.label){var n=Math.floor((w-6)/6.6);var L=b.label.length>n?b.label.slice(0,Math.max(1,n-1))+'…':b.label;s.push('<text x="'+(Math.max(x0,self.left)+3)+'" y="'+(y+13)+'" font-size="11" font-family="monospace">'+esc(L)+'</text>');}
    s.push('</g>');});
  p.marks.forEach(function(m){if(m.t<self.v0||m.t>self.v1)return;var x=self.X(m.t),y=top+m.lane*lh+lh/2;
    s.push('<g data-tip="'+esc(m.tip)+'"'+(m.focus?' data-focus="1"':'')+'><path class="mk-'+m.cls+'" d="M'+x+' '+(y-7)+'L'+(x+6)+' '+y+'L'+x+' '+(y+7)+'L'+(x-6)+' '+y+'Z" stroke="#000" stroke-width="'+(m.focus?2:0.5)+'"/>'+(m.label?'<text x="'+(x+8)+'" y="'+(y+4)+'" font-size="11">'+esc(m.label)+'</text>':'')+'</g>');});
  p.lines.forEach(function(l,k){if(l.t<self.v0||l.t>self.v1)return;var x=self.X(l.t);s.push('<g'+(l.tip?' data-tip="'+esc(l.tip)+'"':'')+'><line class="'+l.cls+'" x1="'+x+'" x2="'+x+'" y1="'+(top-4)+'" y2="'+(top+p.lanes.length*lh)+'"/><text x="'+(x+3)+'" y="'+(top+10+12*(k%Math.max(1,p.lanes.length*2)))+'" font-size="11" fill="#c0392b">'+esc(l.label)+'</text></g>');});
  s.push('</g>');
  if(p.density.length){var y0=top+p.lanes.length*lh+6,h=22,max=1;p.density.forEach(function(c){if(c>max)max=c;});var bw=(W-this.left-8)/p.density.length;
    s.push('<text x="4" y="'+(y0+15)+'" font-size="11" fill="#555">all operations</text>');
    p.density.forEach(function(c,i){if(!c)return;var hh=Math.max(1,h*c/max);s.push('<rect x="'+(self.left+i*bw)+'" y="'+(y0+h-hh)+'" width="'+Math.max(1,bw-0.5)+'" height="'+hh+'" fill="#aab7b8"/>');});
    var full=this.hi-this.lo,a=this.left+(this.v0-this.lo)/full*(W-this.left-8),b=this.left+(this.v1-this.lo)/full*(W-this.left-8);
    s.push('<rect x="'+Math.max(this.left,a)+'" y="'+y0+'" width="'+Math.max(2,Math.min(W,b)-Math.max(this.left,a))+'" height="'+h+'" fill="none" stroke="#2471a3" stroke-width="1.5"/>');}
  this.svg.innerHTML=s.join('');
};
var pics=[];
D.files.forEach(function(f,fi){var sel=document.getElementById('sel-'+fi);var host=document.getElementById('pics-'+fi);if(!host)return;
  function show(j){host.innerHTML='';if(j<0||j>=f.pictures.length)return;var d=document.createElement('div');d.className='pic';d.id='pic-'+fi+'-'+j;host.appendChild(d);var h=document.createElement('div');h.textContent=f.pictures[j].title;h.style.fontWeight='bold';d.appendChild(h);pics.push(new Pic(d,f.pictures[j]));}
  if(sel)sel.addEventListener('change',function(){show(parseInt(sel.value,10));});
  show(0);});
// Self-check for the browser tests: each violation drawn must be (at least partly) in view as
// the page opens.
var inView=0,focusCount=0;
pics.forEach(function(pic){var r=pic.svg.getBoundingClientRect();pic.svg.querySelectorAll('[data-focus]').forEach(function(g){focusCount++;var b=g.getBoundingClientRect();if(b.width>0&&b.right>r.left+pic.left-8&&b.left<r.right)inView++;});});
var res=(window.performance&&performance.getEntriesByType)?performance.getEntriesByType('resource').length:0;
var c=document.getElementById('fenceline-selfcheck');
c.setAttribute('data-errors',String(window.__fencelineErrors.length));
c.setAttribute('data-error-text',window.__fencelineErrors.join(' | '));
c.setAttribute('data-pictures',String(pics.length));
c.setAttribute('data-focus',String(focusCount));
c.setAttribute('data-focus-in-view',String(inView));
c.setAttribute('data-resources',String(res));
c.setAttribute('data-done','1');
})();
)JS";

void WritePicture(JsonWriter& w, const HtmlPicture& p) {
  w.StartObject();
  w.Key("title"); WriteJsonString(w, p.title);
  w.Key("timed"); w.Bool(p.timed);
  w.Key("lo"); w.Int64(p.lo);
  w.Key("hi"); w.Int64(p.hi);
  w.Key("focus");
  if (p.focus) {
    w.StartArray(); w.Int64(p.focus->first); w.Int64(p.focus->second); w.EndArray();
  } else {
    w.Null();
  }
  w.Key("note"); WriteJsonString(w, p.note);
  w.Key("lanes");
  w.StartArray();
  for (const std::string& l : p.lanes) WriteJsonString(w, l);
  w.EndArray();
  w.Key("bars");
  w.StartArray();
  for (const HtmlBar& b : p.bars) {
    w.StartObject();
    w.Key("lane"); w.Uint(b.lane);
    w.Key("t0"); w.Int64(b.t0);
    w.Key("t1"); if (b.t1) w.Int64(*b.t1); else w.Null();
    w.Key("cls"); WriteJsonString(w, b.cls);
    w.Key("label"); WriteJsonString(w, b.label);
    w.Key("tip"); WriteJsonString(w, b.tip);
    if (b.focus) { w.Key("focus"); w.Bool(true); }
    w.EndObject();
  }
  w.EndArray();
  w.Key("marks");
  w.StartArray();
  for (const HtmlMark& m : p.marks) {
    w.StartObject();
    w.Key("lane"); w.Uint(m.lane);
    w.Key("t"); w.Int64(m.t);
    w.Key("cls"); WriteJsonString(w, m.cls);
    w.Key("label"); WriteJsonString(w, m.label);
    w.Key("tip"); WriteJsonString(w, m.tip);
    if (m.focus) { w.Key("focus"); w.Bool(true); }
    w.EndObject();
  }
  w.EndArray();
  w.Key("lines");
  w.StartArray();
  for (const HtmlLine& l : p.lines) {
    w.StartObject();
    w.Key("t"); w.Int64(l.t);
    w.Key("cls"); WriteJsonString(w, l.cls);
    w.Key("label"); WriteJsonString(w, l.label);
    if (!l.tip.empty()) { w.Key("tip"); WriteJsonString(w, l.tip); }
    w.EndObject();
  }
  w.EndArray();
  w.Key("density");
  w.StartArray();
  for (uint32_t c : p.density) w.Uint(c);
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::string HtmlEscape(std::string_view raw) {
  const std::string s = ValidUtf8(raw);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

HtmlFile UnusableHtmlFile(const std::string& path, const Status& status) {
  HtmlFile hf;
  hf.path = path;
  hf.verdict = "error";
  hf.summary = "could not be checked";
  hf.findings.push_back(status.message());
  return hf;
}

std::string RenderHtmlPage(std::string_view title, std::string_view legend,
                           const std::vector<HtmlFile>& files) {
  std::string out;
  out += "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>\n"
         "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n<title>";
  out += HtmlEscape(title);
  out += "</title>\n<script>window.__fencelineErrors=[];window.addEventListener('error',"
         "function(e){window.__fencelineErrors.push(String(e.message));});</script>\n<style>";
  out += kStyle;
  out += "</style></head><body>\n<h1>" + HtmlEscape(title) + "</h1>\n";
  // The index: every file with its verdict, violations first.
  out += "<table class='index'>\n";
  for (int pass = 0; pass < 4; ++pass) {
    static const char* const kOrder[] = {"invalid", "error", "unknown", "valid"};
    for (size_t i = 0; i < files.size(); ++i) {
      if (files[i].verdict != kOrder[pass]) continue;
      out += "<tr><td class='v-" + files[i].verdict + "'>" + files[i].verdict +
             "</td><td><a href='#file-" + std::to_string(i) + "'>" + HtmlEscape(files[i].path) +
             "</a></td><td>" + HtmlEscape(files[i].summary) + "</td></tr>\n";
    }
  }
  out += "</table>\n<p class='legend'>";
  out += legend;
  out += "</p>\n";
  for (size_t i = 0; i < files.size(); ++i) {
    const HtmlFile& f = files[i];
    const std::string id = std::to_string(i);
    out += "<h2 id='file-" + id + "'>" + HtmlEscape(f.path) + ": <span class='v-" + f.verdict +
           "'>" + f.verdict + "</span></h2>\n<p>" + HtmlEscape(f.summary) + "</p>\n";
    if (!f.findings.empty()) {
      out += "<ul class='findings'>\n";
      for (const std::string& s : f.findings) out += "<li>" + HtmlEscape(s) + "</li>\n";
      out += "</ul>\n";
    }
    if (f.choices.size() + f.undrawn.size() > 1) {
      out += "<label>show <select id='sel-" + id + "'>";
      for (size_t j = 0; j < f.choices.size(); ++j) {
        out += "<option value='" + std::to_string(j) + "'>" + HtmlEscape(f.choices[j]) + "</option>";
      }
      for (const std::string& u : f.undrawn) {
        out += "<option value='-1' disabled>" + HtmlEscape(u) + " (not drawn)</option>";
      }
      out += "</select></label>\n";
    }
    if (!f.pictures.empty()) out += "<div id='pics-" + id + "'></div>\n";
  }
  out += "<div id='tip'></div>\n<div id='fenceline-selfcheck' hidden></div>\n";
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("files");
  w.StartArray();
  for (const HtmlFile& f : files) {
    w.StartObject();
    w.Key("pictures");
    w.StartArray();
    for (const HtmlPicture& p : f.pictures) WritePicture(w, p);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  // "</" cannot end the script element early: inside JSON strings "<\/" means the same.
  std::string data(buf.GetString(), buf.GetSize());
  std::string safe;
  safe.reserve(data.size());
  for (size_t k = 0; k < data.size(); ++k) {
    if (data[k] == '<' && k + 1 < data.size() && data[k + 1] == '/') {
      safe += "<\\";
    } else {
      safe += data[k];
    }
  }
  out += "<script type='application/json' id='fenceline-data'>" + safe + "</script>\n<script>";
  out += kScript;
  out += "</script>\n</body></html>\n";
  return out;
}

}  // namespace fenceline::internal
