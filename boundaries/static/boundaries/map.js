// The registry's own layers as the base map: division polygons by level with their names,
// border lines and markers, fetched for the visible box at the current zoom
// (/api/v1/map/...); townships and places, too many to fetch whole, as the registry's
// vector tiles (/tiles/..., drawn by Leaflet.VectorGrid). No other tile server is needed;
// a deployment may add one (MAP_TILE_URL).
(function () {
  const config = JSON.parse(document.getElementById("map-layers").textContent);
  const STYLES = {
    province: { color: "#1d4e89", weight: 2.5, fill: false },
    prefecture: { color: "#2f6db3", weight: 1.8, fill: false },
    county: { color: "#4a8bd1", weight: 1.2, fillColor: "#f4f1e8", fillOpacity: 0.6 },
    township: { color: "#8fb3dc", weight: 0.7, fill: false, dashArray: "3 3" },
    lines: { color: "#c0392b", weight: 1.5 },
    // a place is a street (line), a residential community (polygon) or a point
    places: (p) => ({ color: "#7d3c98", weight: 1.5, radius: 3,
                      fill: p.class === "residential", fillOpacity: 0.25 }),
  };
  // Vector tiles in a pane of their own above the county fill (the overlay pane's 400),
  // letting clicks through to the map (which lists the divisions at the point).
  function drawTiles(map, layerDef) {
    if (!map.getPane("vector-tiles")) {
      const pane = map.createPane("vector-tiles");
      pane.style.zIndex = 410;
      pane.style.pointerEvents = "none";
    }
    const query = config.as_of ? `?as_of=${config.as_of}` : "";
    const style = STYLES[layerDef.style] || {};
    return L.vectorGrid.protobuf(layerDef.tiles + query, {
      pane: "vector-tiles", minZoom: layerDef.min_zoom, maxNativeZoom: 16, interactive: false,
      vectorTileLayerStyles: { [layerDef.layer]: style },
    }).addTo(map);
  }
  function drawLayer(map, layerDef) {
    const group = L.geoJSON(null, {
      style: () => STYLES[layerDef.style] || {},
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 3, color: "#c0392b" }),
      onEachFeature: (f, layer) => {
        const p = f.properties;
        // a tooltip, not a popup: a popup stops the click that lists the divisions there
        if (p.name) layer.bindTooltip(`${p.name}${p.code ? " " + p.code : ""}`, { sticky: true });
        if (layerDef.labels && p.label) {
          const [lon, lat] = p.label.coordinates;
          L.marker([lat, lon], { icon: L.divIcon({ className: "division-label", html: p.name }),
                                 interactive: false }).addTo(group);
        }
      },
    });
    group.addTo(map);
    return group;
  }
  function refresh(map, layers) {
    const b = map.getBounds();
    if (!(b.getWest() < b.getEast() && b.getSouth() < b.getNorth())) return; // not laid out yet
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
      .map((v, i) => Math.max(i % 2 ? -90 : -180, Math.min(i % 2 ? 90 : 180, v)).toFixed(5));
    const zoom = map.getZoom();
    layers.forEach(({ def, group }) => {
      if (def.tiles) return; // the tile layer loads its own tiles
      if (zoom < def.min_zoom) { group.clearLayers(); return; }
      const url = `${def.url}?bbox=${bbox.join(",")}&zoom=${zoom}` +
        (config.as_of ? `&as_of=${config.as_of}` : "");
      fetch(url).then((r) => r.json()).then((fc) => {
        group.clearLayers();
        group.addData(fc);
      });
    });
  }
  function where(map, e) {
    fetch(`/api/v1/reverse?lon=${e.latlng.lng}&lat=${e.latlng.lat}`).then((r) => r.json())
      .then((r) => {
        const ol = document.getElementById("where");
        ol.replaceChildren();
        (r.divisions || []).forEach((d) => {
          const li = document.createElement("li");
          const a = document.createElement("a");
          a.href = `/divisions/${d.short_code}/`;
          a.textContent = `${d.name} ${d.short_code}`;
          li.append(a);
          ol.append(li);
        });
      });
  }
  window.registryMap = function (map) {
    const layers = config.layers.map((def) => ({
      def, group: def.tiles ? drawTiles(map, def) : drawLayer(map, def) }));
    if (config.bounds) map.fitBounds(config.bounds);
    map.on("moveend", () => refresh(map, layers));
    map.on("click", (e) => where(map, e));
    refresh(map, layers);
  };
})();
