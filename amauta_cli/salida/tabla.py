"""El formato ``tabla``: texto plano alineado, rápido y legible a 80 columnas.

Sin Rich: dibujar 500.000 filas cuesta lo que escribirlas en CSV (formatear cada celda una vez,
medir, unir). Reglas de ancho:
- los títulos se parten entre palabras y nunca quedan más angostos que su palabra más larga;
- ``email`` y ``codigo`` nunca se cortan ni se parten; los números tampoco;
- ``nombre``/``texto``/``lista`` se parten solo entre palabras (una palabra más larga que la
  columna se corta con ``…`` solo como último recurso, y nunca en ``nombre``);
- si aun así no entra, las columnas de mayor ``prioridad`` pasan a una tabla de continuación
  debajo, que repite la columna ancla (la primera de menor prioridad), con una nota.
El ancho es el de la terminal; sin terminal (un archivo, una tubería) no hay límite, salvo que
``COLUMNS`` lo fije. Nada del usuario se interpreta: no hay marcado.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from operator import itemgetter
from typing import IO, Any, Sequence

from amauta_cli.salida import Columna, Ficha, Vista, _color, _limpiar, formateador, texto_humano, valores

SEP = "  "
NO_SE_PARTEN = frozenset({"email", "codigo", "entero", "decimal", "nota", "porcentaje", "fecha",
                          "fecha_hora", "tamano", "duracion", "bool"})


def ancho_terminal(out: IO[str]) -> int | None:
    columnas = os.environ.get("COLUMNS")
    if columnas and columnas.isdigit() and int(columnas) > 0:
        return int(columnas)
    try:
        if out.isatty():
            return shutil.get_terminal_size((100, 24)).columns
    except (AttributeError, ValueError):
        pass
    return None


_ESPECIALES = re.compile("[\u0300-\u036f\u1100-\U0010ffff]")


def _ancho(texto: str) -> int:
    """Columnas que ocupa ``texto`` (los caracteres anchos de Asia ocupan dos; los signos
    combinantes, ninguna)."""
    if texto.isascii() or not _ESPECIALES.search(texto):
        return len(texto)
    n = 0
    for c in texto:
        if unicodedata.combining(c):
            continue
        n += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return n


def _palabra_mas_larga(texto: str) -> int:
    return max((_ancho(p) for p in texto.split()), default=0)


def _partir(texto: str, ancho: int, cortar: bool) -> list[str]:
    """Parte entre palabras en líneas de a lo sumo ``ancho`` (si ``cortar``, una palabra que no
    entra se corta con ``…``)."""
    if _ancho(texto) <= ancho:
        return [texto]
    lineas: list[str] = []
    actual = ""
    for palabra in texto.split():
        if cortar and _ancho(palabra) > ancho:
            palabra = palabra[: max(ancho - 1, 1)] + "…"
        if not actual:
            actual = palabra
        elif _ancho(actual) + 1 + _ancho(palabra) <= ancho:
            actual += " " + palabra
        else:
            lineas.append(actual)
            actual = palabra
    if actual or not lineas:
        lineas.append(actual)
    return lineas


def _rellenar(texto: str, ancho: int, derecha: bool) -> str:
    falta = ancho - _ancho(texto)
    if falta <= 0:
        return texto
    return " " * falta + texto if derecha else texto + " " * falta


class _Dibujo:
    def __init__(self, out: IO[str]):
        self.out = out
        self.color = _color(out)
        self.ancho = ancho_terminal(out)

    def negrita(self, texto: str) -> str:
        return f"\x1b[1m{texto}\x1b[0m" if self.color else texto

    def tenue(self, texto: str) -> str:
        return f"\x1b[2m{texto}\x1b[0m" if self.color else texto


def emitir(partes: Sequence[Vista | Ficha], out: IO[str]) -> int:
    d = _Dibujo(out)
    n = 0
    primera = True
    partes = [p for p in partes if isinstance(p, (Vista, Ficha))]
    for p in partes:
        if not primera:
            out.write("\n")
        primera = False
        if isinstance(p, Ficha):
            _ficha(p, d)
        elif isinstance(p, Vista):
            n += _vista(p, d)
    out.flush()
    return n


# --- Ficha --------------------------------------------------------------------------------------
def _ficha(f: Ficha, d: _Dibujo) -> None:
    out = d.out
    if f.titulo:
        out.write(d.negrita(_limpiar(f.titulo)) + "\n")
    etiquetas = [_limpiar(c.etiqueta) for c in f.campos]
    ancho_et = max((_ancho(e) for e in etiquetas), default=0)
    disponible = (d.ancho - ancho_et - 3) if d.ancho else None
    for e, c in zip(etiquetas, f.campos):
        valor = _limpiar(texto_humano(c.valor, c.tipo)) or "—"
        lineas = valor.split("\n")
        if disponible and disponible > 10 and c.tipo not in NO_SE_PARTEN:
            lineas = [x for linea in lineas for x in _partir(linea, disponible, cortar=False)]
        out.write(f"{d.negrita(_rellenar(e, ancho_et, False))}   {lineas[0]}\n")
        for resto in lineas[1:]:
            out.write(" " * (ancho_et + 3) + resto + "\n")
    for nota in f.notas:
        out.write(_limpiar(nota) + "\n")


# --- Vista --------------------------------------------------------------------------------------
def _con_vacio(fmt: Any, vacio: str) -> Any:
    if not vacio:
        return fmt
    return lambda v: vacio if v is None else fmt(v)


def _vista(v: Vista, d: _Dibujo) -> int:
    from amauta_cli import salida

    cols = list(v.columnas)
    claves = [c.clave for c in cols]
    marcar = v.resaltar
    if marcar and marcar not in claves:
        claves.append(marcar)
    fmts = [_con_vacio(formateador(c.tipo, c.decimales), c.vacio) for c in cols]
    humano = texto_humano
    crudas = list(valores(v.filas, claves))
    resaltadas: list[bool] = []
    if marcar and crudas:
        i_marcar = claves.index(marcar)
        resaltadas = [bool(vals[i_marcar]) for vals in crudas]
    # Columna por columna (decenas de miles de filas): una columna de textos se usa tal cual,
    # y la revisión de caracteres de control es una sola pasada por columna.
    columnas: list[list[str]] = []
    for fmt, crudo in zip(fmts, zip(*crudas) if crudas else [() for _ in cols]):
        if set(map(type, crudo)) <= {str}:  # en C, sin un generador por celda
            celdas = list(crudo)
        else:
            celdas = list(map(fmt, crudo))
        if not "".join(celdas).isprintable():  # casi nunca
            celdas = [c if c.isprintable() else _limpiar(c) for c in celdas]
        columnas.append(celdas)
    filas = [list(f) for f in zip(*columnas)] if crudas else []
    if not filas:
        if v.titulo:
            d.out.write(d.negrita(_limpiar(v.titulo)) + "\n")
        salida.info(v.vacio)
        return 0
    totales = None
    if v.totales:
        totales = [_limpiar(humano(v.totales.get(c.clave), c.tipo, c.decimales)) for c in cols]
        if not any(totales):
            totales = None
    _dibujar(v, cols, filas, totales, resaltadas, d, titulo=v.titulo, columnas=columnas)
    for nota in v.notas:
        d.out.write("\n".join(_partir(_limpiar(nota), d.ancho or 10**6, cortar=False)) + "\n")
    return len(filas)


def _anchos_de(celdas: list[str]) -> tuple[list[int], bool]:
    """El ancho de cada celda y si en esta columna ancho == len (sin signos combinantes ni
    caracteres anchos): una sola pasada en C para las columnas comunes."""
    junto = "".join(celdas)
    if junto.isascii() or not _ESPECIALES.search(junto):
        return list(map(len, celdas)), True
    return [_ancho(c) for c in celdas], False


def _palabra_mas_larga_de(celdas: list[str], simple: bool) -> int:
    if simple:
        return max(map(len, " ".join(celdas).split()), default=0)
    return max(map(_palabra_mas_larga, celdas), default=0)


#: Desde esta prioridad una columna se muda debajo antes que partir las demás en varias líneas.
PRIORIDAD_MUDABLE = 3


def _dibujar(
    v: Vista,
    cols: list[Columna],
    filas: list[list[str]],
    totales: list[str] | None,
    resaltadas: list[bool],
    d: _Dibujo,
    titulo: str | None,
    columnas: list[list[str]] | None = None,
) -> None:
    n = len(cols)
    titulos = [_limpiar(c.titulo) for c in cols]
    natural: list[int] = []
    minimo: list[int] = []
    columnas_celdas: list[list[str]] = []
    anchos_celdas: list[list[int]] = []
    simples: list[bool] = []
    for j, c in enumerate(cols):
        celdas = list(columnas[j]) if columnas is not None else [f[j] for f in filas]
        if totales:
            celdas.append(totales[j])
        columnas_celdas.append(celdas)
        w, simple = _anchos_de(celdas)
        anchos_celdas.append(w)
        simples.append(simple)
        ancho_celdas = max(w, default=0)
        natural.append(max(ancho_celdas, _ancho(titulos[j])))
        minimo.append(ancho_celdas)
    celdas_ancho = list(minimo)
    total_sep = len(SEP) * (n - 1)
    limite = d.ancho
    if limite is not None and sum(natural) + total_sep > limite:
        # Solo cuando no entra: el mínimo de cada columna (su palabra más larga).
        for j, c in enumerate(cols):
            if c.tipo in NO_SE_PARTEN:
                mini = max(minimo[j], _palabra_mas_larga(titulos[j]))
            else:
                largo = _palabra_mas_larga_de(columnas_celdas[j], simples[j])
                mini = max(min(largo, 24) if c.tipo in ("texto", "lista") else largo,
                           _palabra_mas_larga(titulos[j]), 1)
            minimo[j] = min(mini, natural[j])
    anchos = list(natural)
    mudadas: list[int] = []
    ancla = min(range(n), key=lambda j: (cols[j].prioridad, j))
    if limite is not None and sum(natural) + total_sep > limite:
        # 1) Mudar columnas (mayor prioridad primero, de derecha a izquierda) mientras ni los
        #    mínimos entran, o mientras la tabla no entra entera y queda alguna columna poco
        #    importante (prioridad >= PRIORIDAD_MUDABLE): mejor verla abajo que partir todas
        #    las filas en varias líneas. El ancla (la primera de menor prioridad) nunca se muda:
        #    identifica la fila y se repite en la tabla de continuación.
        #    Quedan al menos dos a la vista: así la tabla de continuación (el ancla más las
        #    mudadas) tiene siempre menos columnas que esta y la recursión termina (con una
        #    sola a la vista, la continuación repetía la misma tabla sin fin).
        #    Una vista que no se muda (una planilla) se achica hasta sus mínimos y, si aun así no
        #    entra, se dibuja igual y se avisa.
        visibles = list(range(n))
        if not v.mudar and sum(minimo) + total_sep > limite:
            from amauta_cli import salida

            salida.aviso(
                (v.si_no_entra or "la tabla no entra a este ancho")
                + f" (necesita {sum(minimo) + total_sep} columnas; la terminal tiene {limite})."
            )
            limite = sum(minimo) + total_sep

        def no_entra(medida: list[int]) -> bool:
            return sum(medida[j] for j in visibles) + len(SEP) * (len(visibles) - 1) > limite

        while v.mudar and len(visibles) > 2:
            otras = [j for j in visibles if j != ancla]
            if no_entra(minimo):
                candidatas = [j for j in otras if cols[j].prioridad > 0] or otras
            elif no_entra(natural):
                candidatas = [j for j in otras if cols[j].prioridad >= PRIORIDAD_MUDABLE]
            else:
                candidatas = []
            if not candidatas:
                break
            j = max(candidatas, key=lambda k: (cols[k].prioridad, k))
            visibles.remove(j)
            mudadas.append(j)
        # 2) Repartir el ancho: achicar las columnas partibles hacia su mínimo; primero los
        #    títulos más anchos que sus celdas (partir un título molesta menos que partir
        #    un nombre), después el resto, en proporción a lo que cada una puede ceder.
        sobra = sum(natural[j] for j in visibles) + len(SEP) * (len(visibles) - 1) - limite
        # Un título que se parte igual ocupa dos líneas: se lo lleva entero a su piso (las
        # columnas parejas se leen mejor), el que más cede primero.
        piso_titulos = [max(minimo[j], celdas_ancho[j]) for j in range(n)]
        for j in sorted(visibles, key=lambda k: anchos[k] - piso_titulos[k], reverse=True):
            if sobra <= 0 or anchos[j] <= piso_titulos[j]:
                break
            sobra -= anchos[j] - piso_titulos[j]
            anchos[j] = piso_titulos[j]
        if sobra > 0:
            sobra = _achicar(anchos, minimo, visibles, sobra)
        mostradas = visibles
    else:
        mostradas = list(range(n))
    out = d.out
    partes: list[str] = []
    if titulo:
        partes += [d.negrita(x) + "\n" for x in _partir(_limpiar(titulo), limite or 10**6, cortar=False)]
    for s in v.subtitulos:
        partes += [x + "\n" for x in _partir(_limpiar(s), limite or 10**6, cortar=False)]
    # Encabezado (partido entre palabras).
    cab = [_partir(titulos[j], anchos[j], cortar=False) for j in mostradas]
    alto = max(len(c) for c in cab)
    for linea in range(alto):
        celdas = []
        for k, j in enumerate(mostradas):
            texto = cab[k][linea] if linea < len(cab[k]) else ""
            celdas.append(_rellenar(texto, anchos[j], cols[j].derecha))
        partes.append(d.negrita(SEP.join(celdas).rstrip()) + "\n")
    regla = SEP.join("─" * anchos[j] for j in mostradas)
    partes.append(regla + "\n")
    escribir = out.write
    escribir("".join(partes))
    dibujante = _Filas(cols, mostradas, anchos, anchos_celdas, simples)
    if not resaltadas and not dibujante.partibles and dibujante.formato is not None:
        # Camino rápido (casi siempre): ninguna celda se parte; cada línea es un str.format en C.
        formato, tomar = dibujante.formato, dibujante.tomar
        for k in range(0, len(filas), 2000):
            escribir("\n".join([formato(*tomar(f)).rstrip() for f in filas[k : k + 2000]]) + "\n")
        filas_escritas = True
    else:
        filas_escritas = False
    bloque: list[str] = []
    for i, f in enumerate(filas if not filas_escritas else ()):
        linea = dibujante.fila(f, i)
        if resaltadas and resaltadas[i]:
            linea = "\n".join(d.negrita(x) for x in linea.split("\n"))
        bloque.append(linea)
        if len(bloque) >= 2000:
            escribir("\n".join(bloque) + "\n")
            bloque.clear()
    if bloque:
        escribir("\n".join(bloque) + "\n")
    if totales:
        escribir(regla + "\n")
        escribir(d.negrita(dibujante.fila(totales, len(filas))) + "\n")
    if mudadas:
        mudadas.sort()
        nombres = ", ".join(titulos[j] for j in mudadas)
        aviso = (
            f"(No entran a este ancho: {nombres}; siguen en la tabla de abajo. "
            "Con una terminal más ancha o --formato csv/excel se ven juntas.)"
        )
        escribir("\n".join(d.tenue(x) for x in _partir(aviso, limite or 10**6, cortar=False)) + "\n\n")
        sub = [ancla] + mudadas
        tomar = itemgetter(*sub)
        _dibujar(
            Vista(columnas=[cols[j] for j in sub], filas=()),
            [cols[j] for j in sub],
            [list(tomar(f)) for f in filas],
            list(tomar(totales)) if totales else None,
            resaltadas,
            d,
            titulo=None,
        )


def _achicar(anchos: list[int], piso: list[int], visibles: list[int], sobra: int) -> int:
    """Quita ``sobra`` columnas de ancho a las ``visibles``, sin bajar de ``piso``, en proporción
    a lo que cada una puede ceder; devuelve lo que no se pudo quitar."""
    partibles = sorted(
        (j for j in visibles if anchos[j] > piso[j]), key=lambda k: anchos[k] - piso[k], reverse=True
    )
    holgura = sum(anchos[j] - piso[j] for j in partibles)
    inicial = sobra
    for j in partibles:
        if sobra <= 0:
            break
        quita = min(anchos[j] - piso[j], sobra, -(-inicial * (anchos[j] - piso[j]) // max(holgura, 1)))
        anchos[j] -= quita
        sobra -= quita
    while sobra > 0 and any(anchos[j] > piso[j] for j in partibles):
        for j in partibles:
            if sobra > 0 and anchos[j] > piso[j]:
                anchos[j] -= 1
                sobra -= 1
    return sobra


class _Filas:
    """Dibuja las filas de una tabla ya medida. Camino rápido (casi siempre): ninguna celda de la
    fila se parte y las columnas son "simples" (ancho == len), así que una fila es un
    ``str.format`` con anchos fijos, en C. Si no, se parte entre palabras celda por celda."""

    def __init__(
        self, cols: list[Columna], mostradas: list[int], anchos: list[int],
        anchos_celdas: list[list[int]], simples: list[bool],
    ):
        self.cols, self.mostradas, self.anchos = cols, mostradas, anchos
        self.derechas = [cols[j].derecha for j in mostradas]
        self.anchos_celdas = anchos_celdas
        #: Columnas con alguna celda más ancha que la columna y que se puede partir.
        self.partibles = [
            j for j in mostradas
            if cols[j].tipo not in NO_SE_PARTEN and max(anchos_celdas[j], default=0) > anchos[j]
        ]
        self.tomar = itemgetter(*mostradas) if len(mostradas) > 1 else (lambda f: (f[mostradas[0]],))
        if all(simples[j] for j in mostradas):
            self.formato = SEP.join(
                ("{:>%d}" if der else "{:<%d}") % anchos[j] for j, der in zip(mostradas, self.derechas)
            ).format
        else:
            self.formato = None

    def fila(self, f: list[str], i: int) -> str:
        if not any(self.anchos_celdas[j][i] > self.anchos[j] for j in self.partibles):
            if self.formato is not None:
                return self.formato(*self.tomar(f)).rstrip()
            return SEP.join(
                _rellenar(f[j], self.anchos[j], der) for j, der in zip(self.mostradas, self.derechas)
            ).rstrip()
        partidas = []
        for j in self.mostradas:
            texto = f[j]
            if j not in self.partibles or self.anchos_celdas[j][i] <= self.anchos[j]:
                partidas.append([texto])
            else:
                partidas.append(_partir(texto, self.anchos[j], cortar=self.cols[j].tipo != "nombre"))
        alto = max(len(p) for p in partidas)
        lineas = []
        for linea in range(alto):
            lineas.append(
                SEP.join(
                    _rellenar(p[linea] if linea < len(p) else "", self.anchos[j], der)
                    for j, der, p in zip(self.mostradas, self.derechas, partidas)
                ).rstrip()
            )
        return "\n".join(lineas)
