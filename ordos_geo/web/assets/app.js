/* ordos-geo local screening page.
 * Every text that comes from a file or the server is put into the page with
 * textContent / DOM nodes, never as HTML, so project names cannot inject markup.
 */
(function () {
  "use strict";

  var I18N = {
    zh: {
      title: "鄂尔多斯市建设项目选址研判",
      subtitle: "生态环境分区管控(三线一单)与国土空间规则初筛 · 本地运行,不联网",
      s_input: "项目范围", drop: "选择或拖入项目文件",
      types: "界址点 TXT、SHP(zip 压缩)、GPKG、GeoJSON、KML、CSV、XLSX",
      draw_hint: "或在地图左上角工具栏绘制多边形/矩形,或放置一个点位。",
      s_attrs: "项目属性(文件中没有时使用)", industry: "行业", stage: "建设性质",
      capacity: "规模", unit: "单位", advanced: "坐标设置", zone: "3° 带号(界址点)",
      crs: "坐标系", from_file: "按文件", run: "研判", busy: "正在研判…",
      s_results: "研判结果", remove: "移除", drawn: "手绘", nothing: "请先选择项目文件或在地图上绘制。",
      area: "面积", units: "三线一单单元", overlap: "重叠", distance: "距离",
      fix: "修正建议:避开禁止区后可保留", pdf: "PDF 报告", encouraged: "鼓励事项",
      no_hits: "未命中禁止、限制或审查类规则。", verify: "待核实",
      l_projects: "研判项目", l_hits: "冲突部分", l_fix: "可保留部分(修正建议)",
      legend: "图例", illustrative: "示意数据:底图图层为示意,正式研判须替换为官方数据",
      prohibited: "禁止", restricted: "限制", review: "审查", compliant: "合规",
      net_error: "无法连接本地服务:"
    },
    en: {
      title: "Ordos project siting screening",
      subtitle: "三线一单 zoning and national land-use rules, first screening · runs locally, offline",
      s_input: "Project footprint", drop: "Choose or drop project files",
      types: "界址点 TXT, zipped SHP, GPKG, GeoJSON, KML, CSV, XLSX",
      draw_hint: "Or draw a polygon / rectangle, or place a point, with the tools at the top left of the map.",
      s_attrs: "Project attributes (used where the file has none)", industry: "Industry",
      stage: "Stage", capacity: "Capacity", unit: "Unit", advanced: "Coordinates",
      zone: "3° zone (界址点)", crs: "CRS", from_file: "from file", run: "Screen",
      busy: "Screening…", s_results: "Results", remove: "remove", drawn: "drawn",
      nothing: "Choose a project file or draw on the map first.", area: "Area",
      units: "三线一单 units", overlap: "overlap", distance: "distance",
      fix: "Fix hint: remainder outside prohibited zones", pdf: "PDF report",
      encouraged: "Encouraged", no_hits: "No prohibited, restricted or review rule hit.",
      verify: "to verify", l_projects: "Screened projects", l_hits: "Conflicting parts",
      l_fix: "Compliant remainder (fix hint)", legend: "Legend",
      illustrative: "Illustrative data: replace the layers with official data for a formal screening",
      prohibited: "prohibited", restricted: "restricted", review: "review", compliant: "compliant",
      net_error: "Cannot reach the local server: "
    }
  };
  var VERDICTS = ["prohibited", "restricted", "review", "compliant"];
  var state = { lang: "zh", files: [], config: null, doc: null, selected: null };

  function t(key) { return I18N[state.lang][key] || key; }
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) { continue; }
      parent.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return parent;
  }
  function fmt(x, nd) { return (x === null || x === undefined || isNaN(x)) ? "–" : Number(x).toFixed(nd); }
  function colour(v) { return (state.config && state.config.verdict_colours[v]) || "#9e9e9e"; }

  /* ---------------------------------------------------------------- map */
  var map = L.map("map", { zoomControl: true, preferCanvas: false }).setView([39.6, 108.8], 8);
  L.Icon.Default.imagePath = "/static/";
  L.control.scale({ imperial: false }).addTo(map);
  var control = L.control.layers(null, null, { collapsed: true, position: "topright" }).addTo(map);
  var drawn = new L.FeatureGroup().addTo(map);
  var results = { projects: null, hits: null, fix_hints: null, pins: null };
  var contextIllustrative = false;
  var contextLayers = [];  // [{layer, meta}] so that names follow the language switch
  function contextName(ly) { return (state.lang === "zh" ? ly.title_zh : ly.title_en) || ly.id; }

  function drawLocal() {
    if (!L.drawLocal) { return; }
    var zh = state.lang === "zh";
    var d = L.drawLocal.draw.toolbar.buttons;
    d.polygon = zh ? "绘制多边形地块" : "Draw a polygon";
    d.rectangle = zh ? "绘制矩形地块" : "Draw a rectangle";
    d.marker = zh ? "放置点位" : "Place a point";
    L.drawLocal.draw.toolbar.actions.text = zh ? "取消" : "Cancel";
    L.drawLocal.draw.toolbar.finish.text = zh ? "完成" : "Finish";
    L.drawLocal.draw.toolbar.undo.text = zh ? "撤销最后一点" : "Delete last point";
  }
  drawLocal();
  map.addControl(new L.Control.Draw({
    position: "topleft",
    draw: { polyline: false, circle: false, circlemarker: false,
            polygon: { allowIntersection: false, showArea: true, metric: true },
            rectangle: { showArea: true, metric: true }, marker: true },
    edit: { featureGroup: drawn }
  }));
  map.on(L.Draw.Event.CREATED, function (e) { drawn.addLayer(e.layer); renderDrawn(); });
  map.on(L.Draw.Event.DELETED, renderDrawn);

  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var box = el("div", "legend");
    box.id = "legend";
    return box;
  };
  legend.addTo(map);

  function renderLegend() {
    var box = $("legend");
    box.textContent = "";
    add(box, el("b", null, t("legend")));
    VERDICTS.forEach(function (v) {
      var i = el("i"); i.style.background = colour(v);
      add(box, add(el("div"), i, t(v)));
    });
    var h = el("i", "hatch");
    add(box, add(el("div"), h, t("l_hits")));
    add(box, add(el("div"), el("i", "dash"), t("l_fix")));
    if (contextIllustrative) { add(box, el("div", "ill", t("illustrative"))); }
  }

  function styleOf(s) {
    var o = {};
    ["color", "fillColor", "weight", "fillOpacity", "dashArray", "opacity"].forEach(function (k) {
      if (s[k] !== undefined) { o[k] = s[k]; }
    });
    if (s.fill === false) { o.fill = false; }
    return o;
  }

  function loadContext() {
    return fetch("/api/context").then(function (r) { return r.json(); }).then(function (doc) {
      (doc.layers || []).forEach(function (ly) {
        var s = styleOf(ly.style || {});
        var layer = L.geoJSON(ly.geojson, {
          style: function () { return s; }, interactive: false,
          pointToLayer: function (f, ll) {
            return L.circleMarker(ll, { radius: (ly.style && ly.style.radius) || 4, color: s.color,
              fillColor: s.fillColor || "#fff", fillOpacity: 1, weight: 1.5 });
          }
        });
        if (ly.provenance === "illustrative") { contextIllustrative = true; }
        contextLayers.push({ layer: layer, meta: ly });
        control.addOverlay(layer, contextName(ly));
        if (!ly.style || ly.style.show !== false) { layer.addTo(map); }
        if (ly.id === "city") { map.fitBounds(layer.getBounds()); }
      });
      renderLegend();
    });
  }

  /* ---------------------------------------------------------------- form */
  function renderFiles() {
    var ul = $("filelist"); ul.textContent = "";
    state.files.forEach(function (f, i) {
      var b = el("button", null, "✕"); b.type = "button"; b.title = t("remove");
      b.addEventListener("click", function () { state.files.splice(i, 1); renderFiles(); });
      add(ul, add(el("li"), el("span", null, f.name + " (" + Math.ceil(f.size / 1024) + " KB)"), b));
    });
  }
  function renderDrawn() {
    var ul = $("drawnlist"); ul.textContent = "";
    var n = 0;
    drawn.eachLayer(function () { n += 1; });
    if (n) {
      var b = el("button", null, "✕"); b.type = "button"; b.title = t("remove");
      b.addEventListener("click", function () { drawn.clearLayers(); renderDrawn(); });
      add(ul, add(el("li"), el("span", null, t("drawn") + ": " + n), b));
    }
  }
  function addFiles(list) {
    for (var i = 0; i < list.length; i++) { state.files.push(list[i]); }
    renderFiles();
  }
  $("files").addEventListener("change", function (e) { addFiles(e.target.files); e.target.value = ""; });
  var drop = $("drop");
  ["dragenter", "dragover"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) { addFiles(e.dataTransfer.files); });

  function fillSelect(sel, vocab) {
    Object.keys(vocab).forEach(function (k) {
      var o = el("option", null, (vocab[k][0] ? vocab[k][0] + " · " : "") + k);
      o.value = k; sel.appendChild(o);
    });
  }

  function drawnFile() {
    var feats = [], n = 0;
    drawn.eachLayer(function (layer) {
      n += 1;
      var f = layer.toGeoJSON();
      f.properties = { id: "DRAW-" + n, name: (state.lang === "zh" ? "手绘地块 " : "Drawn parcel ") + n };
      feats.push(f);
    });
    if (!feats.length) { return null; }
    var blob = new Blob([JSON.stringify({ type: "FeatureCollection", features: feats })],
                        { type: "application/geo+json" });
    return { blob: blob, name: "drawn.geojson" };
  }

  function showError(msg) {
    var box = $("error");
    box.textContent = msg;
    box.hidden = !msg;
  }

  $("form").addEventListener("submit", function (e) {
    e.preventDefault();
    showError("");
    var fd = new FormData();
    state.files.forEach(function (f) { fd.append("files", f, f.name); });
    var d = drawnFile();
    if (d) { fd.append("files", d.blob, d.name); }
    if (!state.files.length && !d) { showError(t("nothing")); return; }
    ["industry", "stage", "capacity", "unit", "zone", "crs"].forEach(function (k) {
      var v = $(k).value.trim();
      if (v) { fd.append(k, v); }
    });
    $("run").disabled = true; $("busy").hidden = false;
    fetch("/api/check", { method: "POST", body: fd }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, body: j }; },
                           function () { return { ok: false, body: { error: "HTTP " + r.status } }; });
    }).then(function (res) {
      if (!res.ok) { showError(res.body.error || "error"); return; }
      state.doc = res.body; state.selected = null;
      renderResults(); drawResults(true);
      $("results").scrollIntoView({ block: "start" });
    }).catch(function (err) {
      showError(t("net_error") + err);
    }).finally(function () { $("run").disabled = false; $("busy").hidden = true; });
  });

  /* ---------------------------------------------------------------- results */
  function sevTag(sev) {
    var s = el("span", "sev " + sev, t(sev) || sev);
    s.style.background = colour(sev);
    return s;
  }

  function renderResults() {
    var doc = state.doc;
    if (!doc) { return; }
    $("results").hidden = false;
    var counts = $("counts"); counts.textContent = "";
    VERDICTS.forEach(function (v) {
      var c = el("span", "chip " + v, t(v) + " " + (doc.verdicts[v] || 0));
      c.style.background = colour(v);
      counts.appendChild(c);
    });
    var dl = $("downloads"); dl.textContent = "";
    ["verdicts.xlsx", "conflicts.gpkg", "conflicts.csv"].forEach(function (name) {
      if (!doc.outputs[name]) { return; }
      var a = el("a", null, "⬇ " + name); a.href = doc.outputs[name]; a.setAttribute("download", name);
      dl.appendChild(a);
    });
    var box = $("projects"); box.textContent = "";
    doc.projects.forEach(function (p, i) {
      var w = doc.web.projects[i];
      var card = el("div", "project"); card.dataset.index = String(i);
      card.style.borderLeftColor = colour(p.verdict);
      if (state.selected === i) { card.classList.add("selected"); }
      var badge = el("span", "badge " + p.verdict, t(p.verdict));
      badge.style.background = colour(p.verdict);
      var head = add(el("div", "phead"), add(el("div"), el("div", "pname", p.name || p.id),
                                               el("div", "pid", p.id)), badge);
      head.addEventListener("click", function () { select(i); });
      add(card, head);
      var meta = t("area") + " " + fmt(p.area_ha, 2) + " 公顷 / " + fmt(p.area_mu, 1) + " 亩";
      var attrs = [w.industry, w.stage, w.capacity !== null ? (w.capacity + " " + (w.capacity_unit || "")) : null]
        .filter(function (x) { return x; }).join(" · ");
      add(card, el("div", "meta", meta + (attrs ? " · " + attrs : "")));
      if (p.control_units && p.control_units.length) {
        add(card, el("div", "meta", t("units") + ": " + p.control_units.join(", ")));
      }
      var shown = w.hits.filter(function (h) { return h.severity !== "encouraged"; });
      var enc = w.hits.filter(function (h) { return h.severity === "encouraged"; });
      if (!shown.length) { add(card, el("div", "meta", t("no_hits"))); }
      shown.forEach(function (h) {
        var title = state.lang === "zh" ? h.title_zh : (h.title_en || h.title_zh);
        var row = add(el("div", "hit"), add(el("div", "rt"), sevTag(h.severity), (h.rule_id || "") + " " + (title || "")));
        add(row, el("div", "cite", [h.doc_no, h.clause].filter(function (x) { return x; }).join(" ")
                    + (h.verify ? " · " + t("verify") : "")));
        if (h.quote) { add(row, el("blockquote", null, "“" + h.quote + "”")); }
        var msg = state.lang === "zh" ? h.message_zh : (h.message_en || h.message_zh);
        if (msg) { add(row, el("div", "meta", msg)); }
        var bits = [];
        if (h.overlap_ha) { bits.push(t("overlap") + " " + fmt(h.overlap_ha, 2) + " 公顷 / " + fmt(h.overlap_mu, 1) + " 亩"); }
        if (h.distance_m !== null && h.distance_m !== undefined) { bits.push(t("distance") + " " + fmt(h.distance_m, 0) + " m"); }
        if (bits.length) { add(row, el("div", "ov", bits.join(" · "))); }
        add(card, row);
      });
      if (enc.length) {
        add(card, el("div", "enc", t("encouraged") + ": " + enc.map(function (h) {
          return h.rule_id + " " + (state.lang === "zh" ? h.title_zh : (h.title_en || h.title_zh));
        }).join("; ")));
      }
      w.fix_hints.forEach(function (f) {
        add(card, el("div", "fix", t("fix") + " " + fmt(f.remainder_ha, 2) + " 公顷 / " +
                     fmt(f.remainder_mu, 1) + " 亩 (" + fmt(100 * f.remainder_share, 0) + "%)"));
      });
      var pdf = el("a", "pdf", "⬇ " + t("pdf"));
      pdf.href = w.pdf + (state.lang === "en" ? "?lang=en" : "");
      pdf.setAttribute("download", "");
      add(card, add(el("div", "meta"), pdf));
      box.appendChild(card);
    });
    var notes = $("notes"); notes.textContent = "";
    (doc.web.notes || []).forEach(function (n) { add(notes, el("div", null, "• " + n)); });
    notes.hidden = !(doc.web.notes || []).length;
  }

  function popup(p) {
    var box = el("div");
    add(box, el("b", null, p.name || p.id), el("br"), el("span", null, p.id), el("br"));
    var b = el("span", "badge " + p.verdict, t(p.verdict)); b.style.background = colour(p.verdict);
    add(box, b, " " + fmt(p.area_ha, 2) + " 公顷 / " + fmt(p.area_mu, 1) + " 亩");
    return box;
  }

  function drawResults(fit) {
    var doc = state.doc;
    Object.keys(results).forEach(function (k) {
      if (results[k]) { control.removeLayer(results[k]); map.removeLayer(results[k]); results[k] = null; }
    });
    if (!doc) { return; }
    var rs = (state.config && state.config.result_styles) || {};
    var ly = doc.web.layers;
    results.fix_hints = L.geoJSON(ly.fix_hints, { style: function () { return styleOf(rs.remainders || {}); } });
    results.projects = L.geoJSON(ly.projects, {
      style: function (f) {
        var sel = state.selected === f.properties._i;
        return { color: sel ? "#000" : "#ffffff", weight: sel ? 3.5 : 2.5, fillColor: colour(f.properties.verdict),
                 fillOpacity: 0.55, opacity: 1 };
      },
      pointToLayer: function (f, ll) {
        return L.circleMarker(ll, { radius: 8, fillColor: colour(f.properties.verdict), color: "#fff",
                                    weight: 2.5, fillOpacity: 0.95 });
      },
      onEachFeature: function (f, layer) {
        layer.bindPopup(popup(f.properties));
        layer.on("click", function () { select(f.properties._i, true); });
      }
    });
    results.hits = L.geoJSON(ly.hits, {
      style: function (f) {
        var s = styleOf(rs.conflict_parts || {});
        s.fillColor = colour(f.properties.severity);
        return s;
      },
      interactive: false
    });
    // a pin per footprint, so that small parcels stay visible at the city scale
    results.pins = L.layerGroup();
    results.projects.eachLayer(function (layer) {
      if (!layer.getBounds) { return; }
      var pr = layer.feature.properties;
      var pin = L.circleMarker(layer.getBounds().getCenter(), { radius: 7, fillColor: colour(pr.verdict),
        color: "#ffffff", weight: 2, fillOpacity: 0.95 });
      pin.bindPopup(popup(pr));
      pin.on("click", function () { select(pr._i, true); });
      results.pins.addLayer(pin);
    });
    results.pins.addTo(map);
    [["projects", "l_projects"], ["hits", "l_hits"], ["fix_hints", "l_fix"]].forEach(function (pair) {
      results[pair[0]].addTo(map);
      control.addOverlay(results[pair[0]], t(pair[1]));
    });
    results.hits.bringToFront();
    results.fix_hints.bringToFront();
    var pinsShown = function () {
      if (map.getZoom() >= 13) { map.removeLayer(results.pins); } else { results.pins.addTo(map); }
    };
    map.off("zoomend", state.pinsShown || function () {});
    state.pinsShown = pinsShown;
    map.on("zoomend", pinsShown);
    if (fit && results.projects.getLayers().length) {
      map.fitBounds(results.projects.getBounds().pad(0.6), { maxZoom: 14 });
    }
    pinsShown();
  }

  function select(i, fromMap) {
    state.selected = i;
    document.querySelectorAll(".project").forEach(function (c) {
      c.classList.toggle("selected", c.dataset.index === String(i));
    });
    if (results.projects) {
      results.projects.setStyle(results.projects.options.style);
      results.projects.eachLayer(function (layer) {
        if (layer.feature.properties._i === i && !fromMap) {
          if (layer.getBounds) { map.fitBounds(layer.getBounds().pad(0.8), { maxZoom: 15 }); }
          else { map.setView(layer.getLatLng(), 13); }
        }
      });
    }
    var card = document.querySelector('.project[data-index="' + i + '"]');
    if (card && fromMap) { card.scrollIntoView({ block: "nearest" }); }
  }

  /* ---------------------------------------------------------------- language */
  function applyLang() {
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-i18n]").forEach(function (n) { n.textContent = t(n.dataset.i18n); });
    $("lang").textContent = state.lang === "zh" ? "English" : "中文";
    document.title = t("title") + " · ordos-geo";
    drawLocal();
    contextLayers.forEach(function (c) {
      control.removeLayer(c.layer); control.addOverlay(c.layer, contextName(c.meta));
    });
    renderLegend(); renderFiles(); renderDrawn(); renderResults();
    if (state.doc) { drawResults(false); }
  }
  $("lang").addEventListener("click", function () {
    state.lang = state.lang === "zh" ? "en" : "zh";
    applyLang();
  });

  /* ---------------------------------------------------------------- start */
  fetch("/api/config").then(function (r) { return r.json(); }).then(function (cfg) {
    state.config = cfg;
    fillSelect($("industry"), cfg.industries);
    fillSelect($("stage"), cfg.stages);
    renderLegend();
    return loadContext();
  }).then(function () {
    document.body.dataset.ready = "1";
  });

  window.ordosWeb = { map: map, results: results, state: state, drawn: drawn };
})();
