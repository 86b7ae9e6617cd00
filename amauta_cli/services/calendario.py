"""El calendario escolar: qué días hay clase y, los que no, por qué.

Un día es de clase si cae dentro del ciclo lectivo, de lunes a viernes, y no es feriado
nacional (ni provincial de la jurisdicción), ni receso invernal, ni un día no laborable de
la escuela (asueto, jornada institucional). Los ``dias_de_clase`` de los ajustes (jornadas
recuperatorias) son de clase aunque caigan en cualquiera de esos.

- Los feriados nacionales (fijos, trasladables y puentes, año por año) los da el paquete
  ``holidays`` (Argentina, en español); con una jurisdicción, también los provinciales. Se
  importa recién cuando hace falta un año de feriados (unos 40 ms).
- Lo de cada escuela va en la sección ``calendario`` del archivo de ajustes, en tres niveles:
  el general, el de cada jurisdicción (``jurisdicciones``) y el de cada institución
  (``instituciones``, por nombre o id). Para cada dato gana el nivel más específico que lo
  define; los días no laborables y los días de clase extra se suman de los tres niveles.
- Los períodos de calificación (trimestres, cuatrimestres o una lista propia) con sus fechas
  y su orden, y la normalización de sus nombres (``1T``, ``1° Trimestre`` y ``Primer
  trimestre`` son ``1er Trimestre``), también salen de aquí.

Ejemplo (todas las claves son opcionales)::

    calendario:
      jurisdiccion: Ciudad Autónoma de Buenos Aires   # feriados provinciales
      ciclo_lectivo: {inicio: "03-01", fin: "12-20", 2026: {inicio: 2026-03-02, fin: 2026-12-22}}
      receso_invernal: {2026: {desde: 2026-07-20, hasta: 2026-07-31}}
      no_laborables:
        - {fecha: "09-11", motivo: Día del Maestro}               # todos los años
        - {desde: 2026-10-05, hasta: 2026-10-06, motivo: Jornada institucional}
      dias_de_clase:
        - {fecha: 2026-06-20, motivo: Jornada recuperatoria}
      periodos: trimestres         # o cuatrimestres, o una lista de {nombre, desde, hasta, alias}
      periodos_libres: false       # true: se aceptan también otros nombres de período
      instituciones:
        "Escuela Nº 42": {receso_invernal: {desde: "07-13", hasta: "07-24"}}

Nada de SQLAlchemy a nivel de módulo: ``amauta calendario ver`` sin ``--institucion`` no
abre la base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from amauta_cli import textos
from amauta_cli.errores import DatosInvalidos

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session

# --- Tipos de día ------------------------------------------------------------------------------
CLASE = "clase"
CLASE_EXTRA = "clase_extra"  # jornada recuperatoria: de clase aunque el calendario dijera que no
FERIADO = "feriado"
FIN_DE_SEMANA = "fin_de_semana"
RECESO = "receso"
NO_LABORABLE = "no_laborable"
FUERA_DEL_CICLO = "fuera_del_ciclo"

#: Letra de cada tipo en la grilla del mes (``calendario ver``) y su significado.
LETRAS = {
    FERIADO: ("F", "feriado"),
    RECESO: ("R", "receso invernal"),
    NO_LABORABLE: ("N", "no laborable (asueto, jornada institucional)"),
    FUERA_DEL_CICLO: ("—", "fuera del ciclo lectivo"),
    CLASE_EXTRA: ("+", "día de clase extra (jornada recuperatoria)"),
}

CICLO_POR_DEFECTO = ((3, 1), (12, 20))
PAIS = "AR"


@dataclass(frozen=True)
class Dia:
    """Un día del calendario de una institución."""

    fecha: date
    de_clase: bool
    tipo: str
    motivo: str = ""  # "Día de la Independencia", "sábado", "receso invernal"...

    @property
    def explicacion(self) -> str:
        """La frase que lo dice: ``9/7/2026 es feriado: Día de la Independencia``."""
        f = textos.fecha_corta(self.fecha)
        if self.tipo == FERIADO:
            if _es_puente(self.motivo):  # "Feriado con fines turísticos": un puente
                return f"{f} es {self.motivo[0].lower()}{self.motivo[1:]} (feriado puente)"
            return f"{f} es feriado: {self.motivo}"
        if self.tipo == FIN_DE_SEMANA:
            return f"{f} es {self.motivo}"
        if self.tipo == RECESO:
            return f"{f} es {self.motivo}"
        if self.tipo == NO_LABORABLE:
            return f"{f} no es día de clase: {self.motivo}"
        if self.tipo == FUERA_DEL_CICLO:
            return f"{f} está fuera del ciclo lectivo ({self.motivo})"
        if self.tipo == CLASE_EXTRA:
            return f"{f} es día de clase: {self.motivo}"
        return f"{f} es día de clase"

    @property
    def descripcion(self) -> str:
        """Para una columna ``Motivo``: ``feriado: Día de la Independencia``."""
        if self.tipo == FERIADO:
            if _es_puente(self.motivo):
                return f"{self.motivo[0].lower()}{self.motivo[1:]} (feriado puente)"
            return f"feriado: {self.motivo}"
        if self.tipo == FUERA_DEL_CICLO:
            return f"fuera del ciclo lectivo ({self.motivo})"
        return self.motivo


def _es_puente(nombre: str) -> bool:
    return textos.sin_acentos(nombre).startswith("feriado")


@dataclass(frozen=True)
class Periodo:
    """Un período de calificación de un año: nombre canónico, fechas y orden (desde 1)."""

    nombre: str
    desde: date
    hasta: date
    orden: int
    alias: tuple[str, ...] = ()


# --- Feriados (paquete holidays, con caché) -----------------------------------------------------
_FERIADOS: dict[tuple[str | None, int], dict[date, str]] = {}


def feriados(anio: int, jurisdiccion: str | None = None) -> dict[date, str]:
    """Los feriados de la Argentina (y de la jurisdicción) de un año: fecha → nombre en español.

    Calcular un año con ``holidays`` cuesta entre 50 y 400 ms (importar el paquete, sus reglas y
    traducciones), y ``registrar`` lo necesita cada vez: el resultado se guarda en
    ``$XDG_CACHE_HOME/amauta/feriados/`` (``~/.cache``), marcado con la versión del paquete
    (otra versión, otro cálculo), y en memoria durante el proceso.
    """
    clave = (jurisdiccion, anio)
    f = _FERIADOS.get(clave)
    if f is not None:
        return f
    version = _version_holidays()
    ruta = _ruta_cache(anio, jurisdiccion) if version else None
    f = _leer_cache(ruta, version) if ruta else None
    if f is None:
        import holidays

        lista = holidays.country_holidays(
            PAIS, subdiv=jurisdiccion, years=anio, language="es", categories=("public",)
        )
        f = {d: " / ".join(lista.get_list(d)) for d in sorted(lista)}
        if ruta is not None:
            _escribir_cache(ruta, version, f)  # type: ignore[arg-type]
    _FERIADOS[clave] = f
    return f


def _version_holidays() -> str | None:
    """La versión instalada de ``holidays`` (el nombre de su ``.dist-info``) sin importar el
    paquete; si no se encuentra, la fecha de modificación del paquete (otra instalación, otra)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("holidays")
        if spec is None or not spec.origin:
            return None
        paquete = Path(spec.origin).parent
        for info in paquete.parent.glob("holidays-*.dist-info"):
            return info.name.removeprefix("holidays-").removesuffix(".dist-info")
        return f"mtime-{Path(spec.origin).stat().st_mtime_ns}"
    except (OSError, ImportError, ValueError):
        return None


def _ruta_cache(anio: int, jurisdiccion: str | None) -> Path:
    import os

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "amauta" / "feriados" / f"{PAIS}-{jurisdiccion or 'nacional'}-{anio}.json"


def _leer_cache(ruta: Path, version: str | None) -> dict[date, str] | None:
    import json

    try:
        datos = json.loads(ruta.read_text(encoding="utf-8"))
        if datos.get("holidays") != version:
            return None
        return {date.fromisoformat(k): str(v) for k, v in datos["feriados"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _escribir_cache(ruta: Path, version: str, f: dict[date, str]) -> None:
    """Escribe la caché (archivo nuevo + rename: nunca a medias); si no se puede, no pasa nada."""
    import json
    import os
    import secrets

    try:
        ruta.parent.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # $XDG_CACHE_HOME
        for carpeta in (ruta.parent.parent, ruta.parent):  # amauta/feriados
            carpeta.mkdir(mode=0o700, exist_ok=True)
        tmp = ruta.with_name(f".{ruta.name}.{secrets.token_hex(6)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"holidays": version, "feriados": {d.isoformat(): n for d, n in f.items()}}, out, ensure_ascii=False)
        os.replace(tmp, ruta)
    except OSError:
        pass


# --- Los ajustes, leídos y validados ---------------------------------------------------------
@dataclass(frozen=True)
class _Regla:
    """Un día o rango de días (fechas exactas, o MM-DD que se repiten cada año) con su motivo."""

    desde: date | tuple[int, int]
    hasta: date | tuple[int, int]
    motivo: str

    def dias_del_anio(self, anio: int) -> Iterable[tuple[date, str]]:
        if isinstance(self.desde, date):
            if self.desde.year <= anio <= self.hasta.year:  # type: ignore[union-attr]
                yield from _dias(max(self.desde, date(anio, 1, 1)), min(self.hasta, date(anio, 12, 31)), self.motivo)  # type: ignore[type-var]
            return
        d0, d1 = _mmdd_a_fecha(self.desde, anio), _mmdd_a_fecha(self.hasta, anio)  # type: ignore[arg-type]
        if d1 < d0:  # cruza el año: el tramo de este año es el de enero y el de diciembre
            yield from _dias(date(anio, 1, 1), d1, self.motivo)
            yield from _dias(d0, date(anio, 12, 31), self.motivo)
        else:
            yield from _dias(d0, d1, self.motivo)


def _dias(desde: date, hasta: date, motivo: str) -> Iterable[tuple[date, str]]:
    d = desde
    while d <= hasta:
        yield d, motivo
        d += timedelta(days=1)


def _mmdd_a_fecha(mmdd: tuple[int, int], anio: int) -> date:
    mes, dia = mmdd
    if (mes, dia) == (2, 29):
        try:
            return date(anio, 2, 29)
        except ValueError:
            return date(anio, 2, 28)
    return date(anio, mes, dia)


@dataclass(frozen=True)
class _Rango:
    """Inicio y fin (ciclo lectivo, receso) para todos los años (MM-DD) y por año."""

    general: tuple[tuple[int, int], tuple[int, int]] | None = None
    por_anio: tuple[tuple[int, tuple[date, date]], ...] = ()

    def del_anio(self, anio: int) -> tuple[date, date] | None:
        for a, r in self.por_anio:
            if a == anio:
                return r
        if self.general is None:
            return None
        inicio = _mmdd_a_fecha(self.general[0], anio)
        fin = _mmdd_a_fecha(self.general[1], anio)
        if fin < inicio:  # p. ej. el período especial de septiembre a mayo
            fin = _mmdd_a_fecha(self.general[1], anio + 1)
        return inicio, fin

    @property
    def vacio(self) -> bool:
        return self.general is None and not self.por_anio


@dataclass(frozen=True)
class _DefPeriodo:
    nombre: str
    desde: tuple[int, int] | date | None  # None: el inicio del ciclo
    hasta: tuple[int, int] | date | None  # None: el fin del ciclo
    alias: tuple[str, ...] = ()


@dataclass(frozen=True)
class Nivel:
    """Un bloque de la sección ``calendario`` (general, de una jurisdicción o de una institución)."""

    origen: str = "calendario"
    jurisdiccion: str | None = None  # código ISO 3166-2 sin el país: "C", "B"...
    ciclo: _Rango = field(default_factory=_Rango)
    receso: _Rango = field(default_factory=_Rango)
    no_laborables: tuple[_Regla, ...] = ()
    dias_de_clase: tuple[_Regla, ...] = ()
    periodos: tuple[_DefPeriodo, ...] | None = None
    periodos_por_anio: tuple[tuple[int, tuple[_DefPeriodo, ...]], ...] = ()
    periodos_libres: bool | None = None


@dataclass(frozen=True)
class Ajustes:
    """La sección ``calendario`` entera, validada."""

    general: Nivel = field(default_factory=Nivel)
    jurisdicciones: tuple[tuple[str, Nivel], ...] = ()  # código → nivel
    instituciones: tuple[tuple[str, Nivel], ...] = ()  # nombre o id tal como se escribió → nivel
    ruta: str = ""

    def nivel_de_institucion(self, nombre: str | None, id_: str | None) -> tuple[str, Nivel] | None:
        if nombre is None and id_ is None:
            return None
        clave = textos.sin_acentos(" ".join((nombre or "").split()))
        for k, nivel in self.instituciones:
            if (id_ is not None and k == id_) or textos.sin_acentos(" ".join(k.split())) == clave:
                return k, nivel
        return None

    def nivel_de_jurisdiccion(self, codigo: str | None) -> Nivel | None:
        for c, nivel in self.jurisdicciones:
            if c == codigo:
                return nivel
        return None


_CLAVES_NIVEL = {
    "jurisdiccion", "ciclo_lectivo", "receso_invernal", "no_laborables", "dias_de_clase",
    "periodos", "periodos_libres",
}
_CLAVES_GENERAL = _CLAVES_NIVEL | {"jurisdicciones", "instituciones"}
_MMDD = re.compile(r"(\d{1,2})-(\d{1,2})", re.ASCII)


#: Las jurisdicciones (ISO 3166-2:AR, las subdivisiones de ``holidays``): código → nombre. Fijas:
#: validarlas no importa el paquete de feriados.
JURISDICCIONES = {
    "A": "Salta", "B": "Buenos Aires", "C": "Ciudad Autónoma de Buenos Aires", "D": "San Luis",
    "E": "Entre Ríos", "F": "La Rioja", "G": "Santiago del Estero", "H": "Chaco", "J": "San Juan",
    "K": "Catamarca", "L": "La Pampa", "M": "Mendoza", "N": "Misiones", "P": "Formosa",
    "Q": "Neuquén", "R": "Río Negro", "S": "Santa Fe", "T": "Tucumán", "U": "Chubut",
    "V": "Tierra del Fuego", "W": "Corrientes", "X": "Córdoba", "Y": "Jujuy", "Z": "Santa Cruz",
}
_ALIAS_JURISDICCION = {"caba": "C", "ciudad de buenos aires": "C", "capital federal": "C"}


def nombre_jurisdiccion(codigo: str | None) -> str | None:
    return None if codigo is None else JURISDICCIONES.get(codigo, codigo)


def _codigo_jurisdiccion(valor: Any, donde: str) -> str:
    texto = textos.sin_acentos(" ".join(str(valor).split())).removeprefix("ar-")
    for codigo, nombre in JURISDICCIONES.items():
        if texto in (codigo.lower(), textos.sin_acentos(nombre)):
            return codigo
    if texto in _ALIAS_JURISDICCION:
        return _ALIAS_JURISDICCION[texto]
    nombres = sorted(JURISDICCIONES.values(), key=textos.clave_orden)
    raise DatosInvalidos(
        f"{donde}: '{valor}' no es una jurisdicción de la Argentina (válidas: {', '.join(nombres)})."
    )


def _fecha_o_mmdd(valor: Any, donde: str) -> date | tuple[int, int]:
    """``2026-07-20`` (fecha, también escrita sin comillas en YAML o como 20/07/2026) o
    ``"07-20"`` (mes y día, todos los años)."""
    if isinstance(valor, datetime):
        return valor.date()
    if isinstance(valor, date):
        return valor
    texto = str(valor).strip()
    if m := _MMDD.fullmatch(texto):
        mes, dia = int(m.group(1)), int(m.group(2))
        try:
            date(2024, mes, dia)
        except ValueError:
            raise DatosInvalidos(f"{donde}: '{texto}' no es un día válido (MM-DD, por ejemplo 03-01).") from None
        return mes, dia
    from amauta_cli.parsing import parsear_fecha

    try:
        return parsear_fecha(texto, donde)
    except DatosInvalidos:
        raise DatosInvalidos(
            f"{donde}: '{texto}' no es una fecha (AAAA-MM-DD, DD/MM/AAAA) ni un día de todos los "
            "años (MM-DD, entre comillas: \"03-01\")."
        ) from None


def _fecha_exacta(valor: Any, donde: str) -> date:
    v = _fecha_o_mmdd(valor, donde)
    if not isinstance(v, date):
        raise DatosInvalidos(f"{donde}: aquí va una fecha completa (AAAA-MM-DD), no '{valor}'.")
    return v


def _mapa(valor: Any, donde: str) -> dict:
    if not isinstance(valor, dict):
        raise DatosInvalidos(f"{donde} debe ser un mapa de clave: valor; se leyó {valor!r}.")
    return valor


def _anio(clave: Any, donde: str) -> int | None:
    if isinstance(clave, bool):
        return None
    if isinstance(clave, int):
        anio = clave
    elif isinstance(clave, str) and clave.strip().isdigit():
        anio = int(clave.strip())
    else:
        return None
    if not 1900 <= anio <= 2200:
        raise DatosInvalidos(f"{donde}: {anio} no es un año razonable.")
    return anio


def _rango(valor: Any, donde: str, inicio: str, fin: str) -> _Rango:
    """``{inicio: "03-01", fin: "12-20", 2026: {inicio: 2026-03-02, fin: 2026-12-22}}``."""
    datos = _mapa(valor, donde)
    general = None
    por_anio: list[tuple[int, tuple[date, date]]] = []
    sueltas = {}
    for clave, v in datos.items():
        anio = _anio(clave, f"{donde}.{clave}")
        if anio is not None:
            d = _mapa(v, f"{donde}.{anio}")
            faltan = [k for k in (inicio, fin) if k not in d]
            sobran = sorted(set(map(str, d)) - {inicio, fin})
            if faltan or sobran:
                raise DatosInvalidos(
                    f"{donde}.{anio} lleva exactamente {inicio} y {fin} (fechas); "
                    + (f"falta {faltan[0]}." if faltan else f"'{sobran[0]}' no es una clave válida.")
                )
            a = _fecha_exacta(d[inicio], f"{donde}.{anio}.{inicio}")
            b = _fecha_exacta(d[fin], f"{donde}.{anio}.{fin}")
            if b < a:
                raise DatosInvalidos(f"{donde}.{anio}: {fin} ({textos.fecha(b)}) es anterior a {inicio} ({textos.fecha(a)}).")
            if a.year != anio:
                raise DatosInvalidos(f"{donde}.{anio}.{inicio}: {textos.fecha(a)} no es del año {anio}.")
            por_anio.append((anio, (a, b)))
        elif clave in (inicio, fin):
            sueltas[clave] = v
        else:
            raise DatosInvalidos(
                f"{donde}.{clave} no es una clave válida (use {inicio} y {fin} como MM-DD para todos los "
                f"años, o un año: 2026: {{{inicio}: 2026-03-02, {fin}: 2026-12-18}})."
            )
    if sueltas:
        if set(sueltas) != {inicio, fin}:
            falta = fin if inicio in sueltas else inicio
            raise DatosInvalidos(f"{donde}: falta {falta} (MM-DD).")
        a = _fecha_o_mmdd(sueltas[inicio], f"{donde}.{inicio}")
        b = _fecha_o_mmdd(sueltas[fin], f"{donde}.{fin}")
        if isinstance(a, date) or isinstance(b, date):
            raise DatosInvalidos(
                f"{donde}: {inicio} y {fin} sin año van como MM-DD (\"03-01\"); para un año en "
                f"particular use 2026: {{{inicio}: ..., {fin}: ...}}."
            )
        general = (a, b)
    return _Rango(general, tuple(sorted(por_anio)))


def _reglas(valor: Any, donde: str) -> tuple[_Regla, ...]:
    if not isinstance(valor, list):
        raise DatosInvalidos(
            f"{donde} debe ser una lista de días: - {{fecha: 2026-09-11, motivo: ...}} o "
            "- {desde: ..., hasta: ..., motivo: ...}."
        )
    reglas = []
    for i, item in enumerate(valor):
        aqui = f"{donde}[{i}]"
        d = _mapa(item, aqui)
        sobran = sorted(set(map(str, d)) - {"fecha", "desde", "hasta", "motivo"})
        if sobran:
            raise DatosInvalidos(f"{aqui}.{sobran[0]} no es una clave válida (fecha o desde/hasta, y motivo).")
        motivo = " ".join(str(d.get("motivo") or "").split())
        if not motivo:
            raise DatosInvalidos(f"{aqui}: falta el motivo (se muestra en el calendario y en los rechazos).")
        if "fecha" in d:
            if "desde" in d or "hasta" in d:
                raise DatosInvalidos(f"{aqui}: use fecha (un día) o desde/hasta (un rango), no ambos.")
            a = b = _fecha_o_mmdd(d["fecha"], f"{aqui}.fecha")
        elif "desde" in d and "hasta" in d:
            a = _fecha_o_mmdd(d["desde"], f"{aqui}.desde")
            b = _fecha_o_mmdd(d["hasta"], f"{aqui}.hasta")
            if isinstance(a, date) != isinstance(b, date):
                raise DatosInvalidos(f"{aqui}: desde y hasta van los dos con año o los dos como MM-DD.")
            if isinstance(a, date) and b < a:  # type: ignore[operator]
                raise DatosInvalidos(f"{aqui}: hasta ({textos.fecha(b)}) es anterior a desde ({textos.fecha(a)}).")
        else:
            raise DatosInvalidos(f"{aqui}: falta fecha (o desde y hasta).")
        reglas.append(_Regla(a, b, motivo))
    return tuple(reglas)


ESQUEMAS = ("trimestres", "cuatrimestres")


def _periodos(valor: Any, donde: str) -> tuple[tuple[_DefPeriodo, ...] | None, tuple[tuple[int, tuple[_DefPeriodo, ...]], ...]]:
    if isinstance(valor, str):
        return _esquema(valor, donde), ()
    if isinstance(valor, dict):
        general = None
        por_anio = []
        for clave, v in valor.items():
            anio = _anio(clave, f"{donde}.{clave}")
            if anio is None:
                raise DatosInvalidos(
                    f"{donde}.{clave}: se esperaba un año (2026: [...]); los períodos van como "
                    f"{' o '.join(ESQUEMAS)}, o una lista de {{nombre, desde, hasta}}."
                )
            lista = _periodos(v, f"{donde}.{anio}")[0]
            por_anio.append((anio, lista))
        return general, tuple(sorted(por_anio))  # type: ignore[return-value]
    if not isinstance(valor, list) or not valor:
        raise DatosInvalidos(
            f"{donde} debe ser {' o '.join(ESQUEMAS)}, o una lista de períodos "
            "- {nombre: 1er Trimestre, desde: \"03-01\", hasta: \"05-31\"}."
        )
    defs = []
    vistos: dict[str, str] = {}
    for i, item in enumerate(valor):
        aqui = f"{donde}[{i}]"
        if isinstance(item, str):
            item = {"nombre": item}
        d = _mapa(item, aqui)
        sobran = sorted(set(map(str, d)) - {"nombre", "desde", "hasta", "alias"})
        if sobran:
            raise DatosInvalidos(f"{aqui}.{sobran[0]} no es una clave válida (nombre, desde, hasta, alias).")
        nombre = " ".join(str(d.get("nombre") or "").split())
        if not nombre:
            raise DatosInvalidos(f"{aqui}: falta el nombre del período.")
        alias_crudo = d.get("alias") or []
        if isinstance(alias_crudo, str):
            alias_crudo = [alias_crudo]
        if not isinstance(alias_crudo, list):
            raise DatosInvalidos(f"{aqui}.alias debe ser una lista de nombres.")
        alias = tuple(" ".join(str(a).split()) for a in alias_crudo if str(a).strip())
        desde = _fecha_o_mmdd(d["desde"], f"{aqui}.desde") if d.get("desde") is not None else None
        hasta = _fecha_o_mmdd(d["hasta"], f"{aqui}.hasta") if d.get("hasta") is not None else None
        if desde is None and i > 0:
            raise DatosInvalidos(f"{aqui}: falta desde (solo el primer período puede empezar con el ciclo).")
        if hasta is None and i < len(valor) - 1:
            raise DatosInvalidos(f"{aqui}: falta hasta (solo el último período puede terminar con el ciclo).")
        for n in (nombre, *alias):
            k = clave_periodo(n)
            if k in vistos and vistos[k] != nombre:
                raise DatosInvalidos(f"{aqui}: '{n}' es el mismo período que '{vistos[k]}'.")
            vistos[k] = nombre
        defs.append(_DefPeriodo(nombre, desde, hasta, alias))
    return tuple(defs), ()


def _esquema(nombre: str, donde: str) -> tuple[_DefPeriodo, ...]:
    clave = textos.sin_acentos(nombre.strip())
    if clave == "trimestres":
        return (
            _DefPeriodo("1er Trimestre", None, (5, 31)),
            _DefPeriodo("2do Trimestre", (6, 1), (8, 31)),
            _DefPeriodo("3er Trimestre", (9, 1), None),
        )
    if clave == "cuatrimestres":
        return (
            _DefPeriodo("1er Cuatrimestre", None, (7, 31)),
            _DefPeriodo("2do Cuatrimestre", (8, 1), None),
        )
    raise DatosInvalidos(
        f"{donde}: '{nombre}' no es un esquema de períodos ({', '.join(ESQUEMAS)}); o escriba la "
        "lista: - {nombre: ..., desde: \"03-01\", hasta: \"06-30\"}."
    )


def _nivel(datos: Any, donde: str, claves: set[str]) -> Nivel:
    d = _mapa(datos or {}, donde)
    sobran = sorted(set(map(str, d)) - claves)
    if sobran:
        raise DatosInvalidos(
            f"{donde}.{sobran[0]} no es un ajuste conocido (válidos: {', '.join(sorted(claves))})."
        )
    libres = d.get("periodos_libres")
    if libres is not None and not isinstance(libres, bool):
        raise DatosInvalidos(f"{donde}.periodos_libres debe ser true o false; se leyó {libres!r}.")
    periodos, periodos_por_anio = (None, ())
    if d.get("periodos") is not None:
        periodos, periodos_por_anio = _periodos(d["periodos"], f"{donde}.periodos")
    return Nivel(
        origen=donde,
        jurisdiccion=_codigo_jurisdiccion(d["jurisdiccion"], f"{donde}.jurisdiccion") if d.get("jurisdiccion") else None,
        ciclo=_rango(d["ciclo_lectivo"], f"{donde}.ciclo_lectivo", "inicio", "fin") if d.get("ciclo_lectivo") is not None else _Rango(),
        receso=_rango(d["receso_invernal"], f"{donde}.receso_invernal", "desde", "hasta") if d.get("receso_invernal") is not None else _Rango(),
        no_laborables=_reglas(d["no_laborables"], f"{donde}.no_laborables") if d.get("no_laborables") is not None else (),
        dias_de_clase=_reglas(d["dias_de_clase"], f"{donde}.dias_de_clase") if d.get("dias_de_clase") is not None else (),
        periodos=periodos,
        periodos_por_anio=periodos_por_anio,
        periodos_libres=libres,
    )


def leer_ajustes(ruta: Path | None = None) -> Ajustes:
    """La sección ``calendario`` del archivo de ajustes, validada (un error nombra la clave)."""
    from amauta_cli import ajustes

    ruta = ruta or ajustes.ruta_ajustes()
    return ajustes_de(ajustes.cargar(ruta).get("calendario"), str(ruta))


def ajustes_de(datos: Any, ruta: str = "ajustes") -> Ajustes:
    """Valida una sección ``calendario`` ya leída (un dict, o None)."""
    pre = f"{ruta}: calendario"
    general = _nivel(datos, pre, _CLAVES_GENERAL)
    d = datos or {}
    jurisdicciones = []
    for nombre, bloque in _mapa(d.get("jurisdicciones") or {}, f"{pre}.jurisdicciones").items():
        aqui = f"{pre}.jurisdicciones['{nombre}']"
        codigo = _codigo_jurisdiccion(nombre, aqui)
        jurisdicciones.append((codigo, _nivel(bloque, aqui, _CLAVES_NIVEL - {"jurisdiccion"})))
    instituciones = []
    for nombre, bloque in _mapa(d.get("instituciones") or {}, f"{pre}.instituciones").items():
        aqui = f"{pre}.instituciones['{nombre}']"
        instituciones.append((str(nombre), _nivel(bloque, aqui, _CLAVES_NIVEL)))
    return Ajustes(general, tuple(jurisdicciones), tuple(instituciones), ruta)


# --- El calendario de una institución ----------------------------------------------------------
class Calendario:
    """El calendario que rige para una institución (o el general, sin institución)."""

    def __init__(self, niveles: Sequence[Nivel], institucion: str | None = None):
        #: Del más específico al general.
        self.niveles = tuple(niveles)
        self.institucion = institucion
        self.jurisdiccion = next((n.jurisdiccion for n in self.niveles if n.jurisdiccion), None)
        self._feriados: dict[int, dict[date, str]] = {}
        self._extra: dict[int, dict[date, str]] = {}
        self._no_laborables: dict[int, dict[date, str]] = {}
        self._cache: dict[date, Dia] = {}

    # --- Ciclo lectivo y receso ---------------------------------------------------------------
    def ciclo(self, anio: int) -> tuple[date, date]:
        """Inicio y fin del ciclo lectivo que empieza en ``anio``."""
        for n in self.niveles:
            r = n.ciclo.del_anio(anio) if any(a == anio for a, _ in n.ciclo.por_anio) else None
            if r is not None:
                return r
        for n in self.niveles:
            if n.ciclo.general is not None:
                r = n.ciclo.del_anio(anio)
                assert r is not None
                return r
        return _Rango(CICLO_POR_DEFECTO).del_anio(anio)  # type: ignore[return-value]

    def ciclo_de(self, d: date) -> tuple[int, date, date] | None:
        """El ciclo lectivo que contiene ``d`` (año, inicio, fin), o None."""
        for anio in (d.year, d.year - 1):
            inicio, fin = self.ciclo(anio)
            if inicio <= d <= fin:
                return anio, inicio, fin
        return None

    def anio_lectivo(self, hoy: date | None = None) -> int:
        """El año del último ciclo lectivo empezado (en enero de 2027, el de 2026)."""
        hoy = hoy or date.today()
        inicio, _ = self.ciclo(hoy.year)
        return hoy.year if inicio <= hoy else hoy.year - 1

    def receso(self, anio: int) -> tuple[date, date] | None:
        for n in self.niveles:
            if any(a == anio for a, _ in n.receso.por_anio):
                return n.receso.del_anio(anio)
        for n in self.niveles:
            if n.receso.general is not None:
                return n.receso.del_anio(anio)
        return None

    # --- Feriados y días sueltos ----------------------------------------------------------------
    def feriados(self, anio: int) -> dict[date, str]:
        """Feriados nacionales (y provinciales de la jurisdicción) del año: fecha → nombre."""
        f = self._feriados.get(anio)
        if f is None:
            f = self._feriados[anio] = feriados(anio, self.jurisdiccion)
        return f

    def _sueltos(self, anio: int, cache: dict[int, dict[date, str]], attr: str) -> dict[date, str]:
        r = cache.get(anio)
        if r is None:
            r = {}
            for n in reversed(self.niveles):  # el más específico escribe último: gana su motivo
                for regla in getattr(n, attr):
                    r.update(regla.dias_del_anio(anio))
            cache[anio] = r
        return r

    def no_laborables(self, anio: int) -> dict[date, str]:
        return self._sueltos(anio, self._no_laborables, "no_laborables")

    def dias_de_clase_extra(self, anio: int) -> dict[date, str]:
        return self._sueltos(anio, self._extra, "dias_de_clase")

    # --- Un día ---------------------------------------------------------------------------------
    def dia(self, d: date) -> Dia:
        if isinstance(d, datetime):
            d = d.date()
        r = self._cache.get(d)
        if r is None:
            r = self._cache[d] = self._calcular(d)
        return r

    def _calcular(self, d: date) -> Dia:
        extra = self.dias_de_clase_extra(d.year).get(d)
        if extra is not None:
            return Dia(d, True, CLASE_EXTRA, extra)
        feriado = self.feriados(d.year).get(d)
        if feriado is not None:
            return Dia(d, False, FERIADO, feriado)
        if d.weekday() >= 5:
            return Dia(d, False, FIN_DE_SEMANA, textos.dia_semana(d))
        ciclo = self.ciclo_de(d)
        if ciclo is None:
            inicio, fin = self.ciclo(d.year)
            return Dia(d, False, FUERA_DEL_CICLO, f"el de {d.year} va del {textos.fecha_corta(inicio)} al {textos.fecha_corta(fin)}")
        receso = self.receso(ciclo[0])
        if receso is not None and receso[0] <= d <= receso[1]:
            return Dia(d, False, RECESO, f"receso invernal (del {textos.fecha_corta(receso[0])} al {textos.fecha_corta(receso[1])})")
        asueto = self.no_laborables(d.year).get(d)
        if asueto is not None:
            return Dia(d, False, NO_LABORABLE, asueto)
        return Dia(d, True, CLASE)

    def es_de_clase(self, d: date) -> bool:
        return self.dia(d).de_clase

    def dias(self, desde: date, hasta: date) -> list[Dia]:
        return [self.dia(x) for x, _ in _dias(desde, hasta, "")]

    def dias_de_clase(self, desde: date, hasta: date) -> list[date]:
        return [x.fecha for x in self.dias(desde, hasta) if x.de_clase]

    # --- Períodos de calificación ---------------------------------------------------------------
    def _defs_periodos(self, anio: int | None = None) -> tuple[_DefPeriodo, ...]:
        if anio is not None:
            for n in self.niveles:
                for a, lista in n.periodos_por_anio:
                    if a == anio:
                        return lista
        for n in self.niveles:
            if n.periodos is not None:
                return n.periodos
        return _esquema("trimestres", "calendario.periodos")

    @property
    def periodos_libres(self) -> bool:
        return next((n.periodos_libres for n in self.niveles if n.periodos_libres is not None), False)

    def nombres_periodos(self, anio: int | None = None) -> list[str]:
        return [p.nombre for p in self._defs_periodos(anio)]

    def periodos(self, anio: int) -> list[Periodo]:
        """Los períodos del ciclo lectivo ``anio`` con sus fechas, en orden."""
        inicio, fin = self.ciclo(anio)
        resultado = []
        for i, p in enumerate(self._defs_periodos(anio), 1):
            desde = inicio if p.desde is None else _en_ciclo(p.desde, inicio)
            hasta = fin if p.hasta is None else _en_ciclo(p.hasta, inicio)
            resultado.append(Periodo(p.nombre, desde, hasta, i, p.alias))
        return resultado

    def periodo_canonico(self, texto: str, anio: int | None = None) -> str | None:
        """El nombre configurado del período que ``texto`` nombra (o None si no es ninguno)."""
        defs = self._defs_periodos(anio)
        clave = clave_periodo(texto)
        for p in defs:
            if clave in {clave_periodo(n) for n in (p.nombre, *p.alias)}:
                return p.nombre
        # Un número solo ("1", "2°") cuando todos los períodos son del mismo tipo.
        tipos = {clave_periodo(p.nombre).split(":")[0] for p in defs}
        if re.fullmatch(r"\d+", clave) and len(tipos) == 1:
            buscado = f"{next(iter(tipos))}:{clave}"
            for p in defs:
                if clave_periodo(p.nombre) == buscado:
                    return p.nombre
        return None


def _en_ciclo(v: tuple[int, int] | date, inicio: date) -> date:
    """Un MM-DD del ciclo que empieza en ``inicio`` (si cae antes del inicio, es del año siguiente)."""
    if isinstance(v, date):
        return v
    d = _mmdd_a_fecha(v, inicio.year)
    return _mmdd_a_fecha(v, inicio.year + 1) if d.month < inicio.month else d


# --- Nombres de período -------------------------------------------------------------------------
_ORDINALES = {
    "primer": 1, "primero": 1, "primera": 1, "segundo": 2, "segunda": 2, "tercer": 3,
    "tercero": 3, "tercera": 3, "cuarto": 4, "cuarta": 4, "quinto": 5, "quinta": 5,
    "sexto": 6, "sexta": 6,
}
_ROMANOS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6}
_SUFIJOS = {"er", "ero", "ro", "do", "to", "mo", "vo", "no", "o", "a", "ra", "da", "ta", "er."}
_TIPOS = {
    "trimestre": "trimestre", "trimestres": "trimestre", "trim": "trimestre", "t": "trimestre",
    "cuatrimestre": "cuatrimestre", "cuatrimestres": "cuatrimestre", "cuatri": "cuatrimestre",
    "cuat": "cuatrimestre", "c": "cuatrimestre",
    "bimestre": "bimestre", "bim": "bimestre", "b": "bimestre",
    "semestre": "semestre", "sem": "semestre", "s": "semestre",
}
_TOKENS = re.compile(r"\d+|[a-z]+")


def clave_periodo(texto: str) -> str:
    """La clave que iguala escrituras de un mismo período.

    ``1er trimestre``, ``1° Trimestre``, ``1º trimestre``, ``Primer trimestre``, ``1T``, ``T1`` e
    ``I Trimestre`` dan ``trimestre:1``. Lo que no es "ordinal + tipo" se compara sin acentos,
    mayúsculas ni signos (``Parcial 2`` → ``parcial 2``).
    """
    tokens = _TOKENS.findall(textos.sin_acentos(textos.nfc(str(texto))))
    numero = None
    tipo = None
    resto = []
    previo_numero = False
    for t in tokens:
        if t.isdigit() and numero is None:
            numero, previo_numero = int(t), True
            continue
        if previo_numero and t in _SUFIJOS:
            previo_numero = False
            continue
        previo_numero = False
        if t in _ORDINALES and numero is None:
            numero = _ORDINALES[t]
        elif t in _TIPOS and tipo is None:
            tipo = _TIPOS[t]
        elif t in _ROMANOS and numero is None and len(tokens) <= 3:
            numero = _ROMANOS[t]
        else:
            resto.append(t)
    if numero is not None and tipo is not None and not resto:
        return f"{tipo}:{numero}"
    if numero is not None and tipo is None and not resto:
        return str(numero)
    return " ".join(tokens)


# --- Obtener el calendario ---------------------------------------------------------------------
def calendario(
    ajustes: Ajustes | None = None, institucion: str | None = None, institucion_id: str | None = None
) -> Calendario:
    """El calendario de una institución (por su nombre y su id) o, sin ella, el general."""
    a = ajustes if ajustes is not None else leer_ajustes()
    niveles: list[Nivel] = []
    propio = a.nivel_de_institucion(institucion, institucion_id)
    if propio is not None:
        niveles.append(propio[1])
    codigo = next((n.jurisdiccion for n in (*niveles, a.general) if n.jurisdiccion), None)
    if codigo is not None:
        j = a.nivel_de_jurisdiccion(codigo)
        if j is not None:
            niveles.append(j)
    niveles.append(a.general)
    return Calendario(niveles, institucion)


def de_institucion(con: Any, institucion_id: str, ajustes: Ajustes | None = None) -> Calendario:
    """El calendario de la institución con ese id (una consulta por su nombre). ``con``: una
    sesión o conexión de SQLAlchemy, o una ``db.Cruda``."""
    from amauta_cli.db import cruda

    nombre = cruda(con).valor('SELECT nombre FROM "Institucion" WHERE id = :i', i=institucion_id)
    return calendario(ajustes, nombre, institucion_id)


class Calendarios:
    """Los calendarios de varias instituciones, uno por institución, con los ajustes leídos una
    vez (para reglas que recorren grupos de distintas escuelas)."""

    def __init__(self, s: Any, ajustes: Ajustes | None = None):
        self.s = s
        self.ajustes = ajustes if ajustes is not None else leer_ajustes()
        self._por_inst: dict[str, Calendario] = {}
        self._por_firma: dict[tuple, Calendario] = {}
        self._nombres: dict[str, str] | None = None

    def de(self, institucion_id: str) -> Calendario:
        c = self._por_inst.get(institucion_id)
        if c is None:
            if self._nombres is None:
                from amauta_cli.db import cruda

                self._nombres = dict(cruda(self.s).filas('SELECT id, nombre FROM "Institucion"'))
            nombre = self._nombres.get(institucion_id)
            propio = self.ajustes.nivel_de_institucion(nombre, institucion_id)
            # Las instituciones sin calendario propio comparten uno (y su caché de días).
            firma = (propio[0] if propio else None,)
            c = self._por_firma.get(firma)
            if c is None:
                c = self._por_firma[firma] = calendario(self.ajustes, nombre, institucion_id)
            self._por_inst[institucion_id] = c
        return c


def exigir_dia_de_clase(cal: Calendario, d: date, forzar: bool, que: str = "No se registró nada") -> Dia:
    """Rechaza un día sin clase (salvo ``forzar``), nombrando por qué: "9/7/2026 es feriado: ..."."""
    from amauta_cli.errores import OperacionRechazada

    dia = cal.dia(d)
    if not dia.de_clase and not forzar:
        raise OperacionRechazada(
            f"{que}: {dia.explicacion}. Si ese día hubo clase (una jornada recuperatoria, por "
            "ejemplo), agregue --forzar; si es un día de clase de la escuela, agréguelo a "
            "calendario.dias_de_clase en el archivo de ajustes."
        )
    return dia


# --- Vistas del calendario (amauta calendario ver) ---------------------------------------------
@dataclass(frozen=True)
class Tramo:
    """Días sin clase seguidos con el mismo motivo (sin contar los fines de semana en medio)."""

    desde: date
    hasta: date
    tipo: str
    motivo: str
    dias: int  # días de lunes a viernes del tramo


@dataclass(frozen=True)
class VistaCalendario:
    institucion: str | None
    jurisdiccion: str | None
    desde: date
    hasta: date
    dias: list[Dia]
    ciclos: list[tuple[int, date, date]]
    recesos: list[tuple[date, date]]
    tramos: list[Tramo]

    @property
    def dias_de_clase(self) -> int:
        return sum(1 for d in self.dias if d.de_clase)


def tramos_sin_clase(dias: Sequence[Dia]) -> list[Tramo]:
    """Los días sin clase de lunes a viernes (y los feriados, aunque caigan en fin de semana)
    agrupados en tramos: "del 20/07 al 31/07: receso invernal"."""
    tramos: list[Tramo] = []
    for d in dias:
        if d.de_clase or (d.tipo == FIN_DE_SEMANA):
            continue
        motivo = d.descripcion
        ultimo = tramos[-1] if tramos else None
        if (
            ultimo is not None
            and ultimo.tipo == d.tipo
            and ultimo.motivo == motivo
            and d.tipo in (RECESO, FUERA_DEL_CICLO, NO_LABORABLE)
            and all(x.weekday() >= 5 for x, _ in _dias(ultimo.hasta + timedelta(days=1), d.fecha - timedelta(days=1), ""))
        ):
            tramos[-1] = Tramo(ultimo.desde, d.fecha, d.tipo, motivo, ultimo.dias + (d.fecha.weekday() < 5))
        else:
            tramos.append(Tramo(d.fecha, d.fecha, d.tipo, motivo, int(d.fecha.weekday() < 5)))
    return tramos


def ver(cal: Calendario, desde: date, hasta: date) -> VistaCalendario:
    dias = cal.dias(desde, hasta)
    anios = sorted({desde.year - 1, *range(desde.year, hasta.year + 1)})
    ciclos = []
    recesos = []
    for a in anios:
        inicio, fin = cal.ciclo(a)
        if inicio <= hasta and fin >= desde:
            ciclos.append((a, inicio, fin))
            r = cal.receso(a)
            if r is not None and r[0] <= hasta and r[1] >= desde:
                recesos.append(r)
    return VistaCalendario(
        cal.institucion, nombre_jurisdiccion(cal.jurisdiccion), desde, hasta, dias, ciclos, recesos,
        tramos_sin_clase(dias),
    )
