/*
 * PREP Veracruz 2021, synthetic test site (vanilla JS, no external resources).
 * Contract: renders only from json/main.json and the files it names (relative URLs); output is
 * a pure function of the route and the JSON, so it is deterministic. The only timer polls
 * main.json every refrescoSegundos and re-renders only when its corte changes.
 */
(function () {
  "use strict";

  var MAIN_URL = "json/main.json";
  var state = { main: null, renderSeq: 0, timer: null };

  function fetchJson(url) {
    return fetch(url, { cache: "no-cache" }).then(function (response) {
      if (!response.ok) {
        throw new Error(url + ": HTTP " + response.status);
      }
      return response.json();
    });
  }

  // Thousands separators by hand: the browser's locale formatting varies between machines.
  function miles(value) {
    var text = String(Math.trunc(Number(value)));
    var sign = "";
    if (text.charAt(0) === "-") {
      sign = "-";
      text = text.slice(1);
    }
    var out = "";
    while (text.length > 3) {
      out = "," + text.slice(-3) + out;
      text = text.slice(0, -3);
    }
    return sign + text + out;
  }

  function pct(text) {
    return String(text) + " %";
  }

  function esc(value) {
    return String(value)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }

  function pad(number, digits) {
    var text = String(number);
    while (text.length < digits) {
      text = "0" + text;
    }
    return text;
  }

  function cifra(label, shown, testid, raw) {
    return '<li><span class="etiqueta">' + esc(label) + '</span><span class="valor" data-testid="' +
      testid + '" data-valor="' + esc(raw) + '">' + esc(shown) + "</span></li>";
  }

  function cifras(d) {
    return '<ul class="cifras">' +
      cifra("Actas capturadas", miles(d.actasCapturadas.total), "actas-capturadas",
        d.actasCapturadas.total) +
      cifra("Actas esperadas", miles(d.totalActas), "actas-esperadas", d.totalActas) +
      cifra("Actas capturadas (porcentaje)", pct(d.actasCapturadas.porcentaje),
        "porcentaje-actas-capturadas", d.actasCapturadas.porcentaje) +
      cifra("Actas contabilizadas", miles(d.actasContabilizadas.total), "actas-contabilizadas",
        d.actasContabilizadas.total) +
      cifra("Actas contabilizadas (porcentaje)", pct(d.actasContabilizadas.porcentaje),
        "porcentaje-actas-contabilizadas", d.actasContabilizadas.porcentaje) +
      cifra("Participación ciudadana", pct(d.participacionCiudadana.porcentaje), "participacion",
        d.participacionCiudadana.porcentaje) +
      cifra("Total de votos", miles(d.totalVotos), "total-votos", d.totalVotos) +
      "</ul>";
  }

  function votos(d) {
    var rows = d.votosCandidatoPartidoCoalicion.map(function (p) {
      return '<tr data-testid="votos-' + esc(p.partido) + '" data-partido="' + esc(p.partido) +
        '" data-votos="' + esc(p.total) + '" data-porcentaje="' + esc(p.porcentaje) + '">' +
        '<td class="partido">' + esc(p.partido) + "</td>" +
        '<td class="nombre">' + esc(p.nombre) + "</td>" +
        '<td class="numero votos">' + miles(p.total) + "</td>" +
        '<td class="numero porcentaje">' + pct(p.porcentaje) + "</td>" +
        '<td><div class="barra-fondo"><div class="barra" style="width:' +
        esc(Math.min(100, Number(p.porcentaje))) + "%;background:" + esc(p.color) +
        '"></div></div></td></tr>';
    });
    return '<h3>Votos por partido político, coalición y candidatura</h3>' +
      '<table data-testid="tabla-votos"><thead><tr><th>Partido</th><th>Nombre</th>' +
      '<th class="numero">Votos</th><th class="numero">Porcentaje</th><th></th></tr></thead>' +
      "<tbody>" + rows.join("") + "</tbody></table>";
  }

  function bloque(id, titulo, d, extra) {
    return '<section class="eleccion" data-testid="eleccion-' + esc(id) + '" data-eleccion="' +
      esc(id) + '"><h2>' + esc(titulo) + "</h2>" + cifras(d) + votos(d) + (extra || "") +
      "</section>";
  }

  function eleccion(id) {
    var e = state.main.elecciones[id];
    if (!e) {
      throw new Error("Elección desconocida: " + id);
    }
    return e;
  }

  function tablaAmbitos(id, e, d) {
    var rows = d.ambitos.map(function (a) {
      var href = "#/" + id + "/" + e.ambito + "/" + pad(a.id, e.digitosId);
      return '<tr data-testid="ambito-' + esc(a.id) + '"><td><a href="' + esc(href) + '">' +
        esc(a.nombre) + '</a></td><td class="numero">' + miles(a.actasContabilizadas.total) +
        " / " + miles(a.totalActas) + '</td><td class="numero">' +
        pct(a.actasContabilizadas.porcentaje) + "</td></tr>";
    });
    var nombre = e.ambito === "distrito" ? "Distrito" : "Municipio";
    return "<h3>Resultados por " + nombre.toLowerCase() + "</h3>" +
      '<table data-testid="tabla-ambitos"><thead><tr><th>' + nombre + "</th>" +
      '<th class="numero">Actas contabilizadas / esperadas</th><th class="numero">Porcentaje</th>' +
      "</tr></thead><tbody>" + rows.join("") + "</tbody></table>";
  }

  function listaSecciones(id, e, d) {
    var links = d.secciones.map(function (s) {
      return '<a href="#/' + esc(id) + "/seccion/" + pad(s, 4) + '" data-testid="seccion-' + s +
        '">' + pad(s, 4) + "</a>";
    });
    return "<h3>Secciones</h3><p class=\"secciones\">" + links.join(" ") + "</p>";
  }

  function migas(id, e) {
    return '<p class="migas"><a href="#/">Inicio</a> › <a href="#/' + esc(id) + '">' +
      esc(e.titulo) + "</a></p>";
  }

  function vistaInicio() {
    var ids = Object.keys(state.main.elecciones);
    return Promise.all(ids.map(function (id) {
      return fetchJson(eleccion(id).resumen);
    })).then(function (docs) {
      return docs.map(function (d, i) {
        var titulo = eleccion(ids[i]).titulo + " — resumen estatal";
        return bloque(ids[i], titulo, d,
          '<p><a href="#/' + esc(ids[i]) + '">Ver detalle por ' + esc(eleccion(ids[i]).ambito) +
          "</a></p>");
      }).join("");
    });
  }

  function vistaEleccion(id) {
    var e = eleccion(id);
    return fetchJson(e.resumen).then(function (d) {
      return migas(id, e) + bloque(id, e.titulo + " — Veracruz", d, tablaAmbitos(id, e, d));
    });
  }

  function vistaAmbito(id, numero) {
    var e = eleccion(id);
    var url = e.detalle.replace("{id}", pad(Number(numero), e.digitosId));
    return fetchJson(url).then(function (d) {
      return migas(id, e) + bloque(id, e.titulo + " — " + d.nombre, d, listaSecciones(id, e, d));
    });
  }

  function vistaSeccion(id, numero) {
    var e = eleccion(id);
    var url = e.seccion.replace("{id}", pad(Number(numero), 4));
    return fetchJson(url).then(function (d) {
      var rows = d.casillas.map(function (c) {
        return '<tr data-testid="casilla-' + esc(c.clave) + '"><td>' + esc(c.clave) + "</td><td>" +
          esc(c.estado) + '</td><td class="numero">' +
          (c.totalVotos === undefined ? "-" : miles(c.totalVotos)) + "</td></tr>";
      });
      return migas(id, e) + '<section class="eleccion" data-testid="eleccion-' + esc(id) +
        '"><h2>' + esc(e.titulo) + " — Sección " + pad(d.seccion, 4) + "</h2>" +
        '<table data-testid="tabla-casillas"><thead><tr><th>Casilla</th><th>Estado del acta</th>' +
        '<th class="numero">Votos</th></tr></thead><tbody>' + rows.join("") +
        "</tbody></table></section>";
    });
  }

  function vista(hash) {
    var parts = hash.replace(/^#\/?/, "").split("/").filter(function (p) { return p; });
    if (parts.length === 0) {
      return vistaInicio();
    }
    if (!state.main.elecciones[parts[0]]) {
      return Promise.reject(new Error("Página no encontrada"));
    }
    var e = state.main.elecciones[parts[0]];
    if (parts.length === 1) {
      return vistaEleccion(parts[0]);
    }
    if (parts.length === 3 && parts[1] === e.ambito && /^\d+$/.test(parts[2])) {
      return vistaAmbito(parts[0], parts[2]);
    }
    if (parts.length === 3 && parts[1] === "seccion" && /^\d+$/.test(parts[2])) {
      return vistaSeccion(parts[0], parts[2]);
    }
    return Promise.reject(new Error("Página no encontrada"));
  }

  function mostrarCorte() {
    var corte = document.getElementById("corte");
    corte.textContent = "Corte: " + state.main.horaCorte;
    corte.setAttribute("data-corte", state.main.corte);
  }

  function render() {
    var seq = ++state.renderSeq;
    var main = document.getElementById("contenido");
    var hash = window.location.hash || "#/";
    mostrarCorte();
    main.setAttribute("data-estado", "cargando");
    return vista(hash).then(function (html) {
      if (seq === state.renderSeq) {
        main.innerHTML = html;
        main.setAttribute("data-ruta", hash);
        main.setAttribute("data-estado", "listo");
      }
    }, function (err) {
      if (seq === state.renderSeq) {
        main.innerHTML = '<p class="error" data-testid="error">No fue posible mostrar los ' +
          "resultados: " + esc(err.message) + "</p>";
        main.setAttribute("data-estado", "error");
      }
    });
  }

  function refrescar() {
    fetchJson(MAIN_URL).then(function (main) {
      if (main.corte !== state.main.corte) {
        state.main = main;
        render();
      }
    }, function () {
      // Keep the last corte on screen when a poll fails; the next poll retries.
    });
  }

  function iniciar() {
    fetchJson(MAIN_URL).then(function (main) {
      state.main = main;
      window.addEventListener("hashchange", render);
      state.timer = window.setInterval(refrescar, (main.refrescoSegundos || 60) * 1000);
      return render();
    }, function (err) {
      var main = document.getElementById("contenido");
      main.innerHTML = '<p class="error" data-testid="error">No fue posible cargar ' +
        esc(MAIN_URL) + ": " + esc(err.message) + "</p>";
      main.setAttribute("data-estado", "error");
    });
  }

  iniciar();
}());
