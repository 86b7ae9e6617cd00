"""Páginas HTML imprimibles y autocontenidas (sin CSS, fuentes ni scripts externos).

Un reporte se abre en cualquier navegador y se imprime (o se guarda como PDF) tal cual.
Todo valor que viene de la base se escapa con ``html.escape``: un nombre con ``<`` o
``&`` se ve como se escribió y no puede inyectar marcado.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any, Sequence

from amauta_cli.render import a_texto

#: (clave, título, alineación: "izq" o "der")
ColumnasHTML = Sequence[tuple[str, str, str]]

_ESTILO = """
  :root { color-scheme: light; }
  body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
         margin: 2rem; color: #1a1a1a; font-size: 11pt; }
  h1 { font-size: 1.4rem; margin: 0 0 .3rem 0; }
  .sub { color: #444; margin: .1rem 0; }
  table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
  th, td { border: 1px solid #bbb; padding: .25rem .45rem; }
  th { background: #eee; text-align: left; }
  td.der, th.der { text-align: right; font-variant-numeric: tabular-nums; }
  tbody tr:nth-child(even) { background: #fafafa; }
  tfoot td { font-weight: bold; background: #eee; }
  tr.alerta td { background: #fdecea; }
  .notas { margin-top: 1rem; color: #444; font-size: .9rem; }
  .pie { margin-top: 1.5rem; color: #777; font-size: .8rem; }
  @page { size: A4 landscape; margin: 12mm; }
  @media print {
    body { margin: 0; font-size: 9pt; }
    thead { display: table-header-group; }
    tr { page-break-inside: avoid; }
    tbody tr:nth-child(even), th, tfoot td, tr.alerta td {
      -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  }
"""


def _e(valor: Any) -> str:
    """Un valor escapado; los decimales con coma, como se leen en Argentina."""
    texto = a_texto(valor)
    if isinstance(valor, float):
        texto = texto.replace(".", ",")
    return html.escape(texto, quote=True)


def pagina_tabla(
    titulo: str,
    subtitulos: Sequence[str],
    columnas: ColumnasHTML,
    filas: Sequence[dict[str, Any]],
    totales: dict[str, Any] | None = None,
    notas: Sequence[str] = (),
    resaltar: str | None = None,
) -> str:
    """Una página con un título, subtítulos, una tabla (con fila de totales) y notas.

    ``resaltar`` es la clave de una columna booleana: las filas con valor verdadero se
    sombrean (por ejemplo, quienes superan el límite de inasistencias).
    """
    partes = [
        "<!DOCTYPE html>",
        '<html lang="es">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(titulo)}</title>",
        f"<style>{_ESTILO}</style>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(titulo)}</h1>",
    ]
    partes += [f'<p class="sub">{html.escape(s)}</p>' for s in subtitulos]
    partes.append("<table>")
    partes.append(
        "<thead><tr>"
        + "".join(
            f'<th class="{"der" if al == "der" else "izq"}">{html.escape(t)}</th>'
            for _, t, al in columnas
        )
        + "</tr></thead>"
    )
    partes.append("<tbody>")
    for f in filas:
        clase = ' class="alerta"' if resaltar and f.get(resaltar) else ""
        celdas = "".join(
            f'<td class="{"der" if al == "der" else "izq"}">{_e(f.get(k))}</td>' for k, _, al in columnas
        )
        partes.append(f"<tr{clase}>{celdas}</tr>")
    partes.append("</tbody>")
    if totales is not None:
        celdas = "".join(
            f'<td class="{"der" if al == "der" else "izq"}">{_e(totales.get(k))}</td>'
            for k, _, al in columnas
        )
        partes.append(f"<tfoot><tr>{celdas}</tr></tfoot>")
    partes.append("</table>")
    if notas:
        partes.append('<div class="notas">' + "".join(f"<p>{html.escape(n)}</p>" for n in notas) + "</div>")
    partes.append(f'<p class="pie">Generado por amauta el {datetime.now():%d/%m/%Y %H:%M}.</p>')
    partes += ["</body>", "</html>", ""]
    return "\n".join(partes)
