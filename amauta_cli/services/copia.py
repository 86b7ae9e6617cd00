"""``amauta db copiar --destino URL``: toda la base a otra (SQLite → PostgreSQL y al revés).

- El destino debe estar vacío (sin tablas) o migrado y sin filas, y en la misma revisión que el
  origen; si está vacío se migra primero, en la misma transacción que la copia.
- Las tablas se copian en orden de dependencias (las de archivo y la auditoría al final), con
  ``COPY`` en PostgreSQL y ``executemany`` por lotes en SQLite (``dialecto.cargar_filas``), con
  ids y fechas tal cual. De SQLite a PostgreSQL, las filas crudas de SQLite se pasan a su forma
  canónica, que es a la vez la línea de COPY y lo que se suma (``Suma``), y un hilo escribe los
  COPY mientras Python arma las líneas siguientes (``dialecto.cargar_tablas``).
- Antes de confirmar se comparan, por tabla, las filas y una suma de control de ambos lados
  (``Suma``: md5 de la forma canónica de cada fila, sumado sin importar el orden; la misma
  función en ambos motores, en PostgreSQL calculada por el servidor en una consulta por tabla).
  Si algo difiere, la transacción se deshace y el destino queda como estaba.
- El origen se lee en una sola instantánea (REPEATABLE READ en PostgreSQL; una transacción
  de lectura en SQLite con WAL), aunque la aplicación siga escribiendo.
"""

from __future__ import annotations

import json
import struct
import time
from hashlib import md5
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from typing import TYPE_CHECKING

from amauta_cli.errores import AmautaError, DatosInvalidos, OperacionRechazada
from amauta_cli.textos import plural

if TYPE_CHECKING:  # pragma: no cover
    from amauta_cli.objetivo import Objetivo

MODULO_64 = 1 << 64


@dataclass(frozen=True)
class TablaCopiada:
    tabla: str
    filas_origen: int
    filas_destino: int
    suma_origen: str
    suma_destino: str

    @property
    def iguales(self) -> bool:
        return self.filas_origen == self.filas_destino and self.suma_origen == self.suma_destino


@dataclass(frozen=True)
class ResultadoCopia:
    origen: str  # enmascarada
    destino: str  # enmascarada
    motor_origen: str
    motor_destino: str
    revision: str | None
    migrado: bool
    tablas: tuple[TablaCopiada, ...]
    segundos: float

    @property
    def filas(self) -> int:
        return sum(t.filas_destino for t in self.tablas)


class CopiaDistinta(AmautaError):
    """Las cuentas o sumas de control no coinciden: no se confirmó nada en el destino."""


# --- Suma de control ------------------------------------------------------------------------------
#
# La MISMA función de los datos en ambos motores: cada fila se escribe en una forma canónica de
# texto (los valores como en ``COPY`` en formato texto: separados por tabulador, ``\\N`` para NULL,
# ``\\``, tabulador y saltos escapados), se toma el md5 de ese texto, sus primeros 8 bytes como
# entero con signo, y se suman módulo 2⁶⁴ (no depende del orden de las filas). En PostgreSQL la
# calcula el servidor con una consulta por conjuntos por tabla (``dialecto.suma_de_control``); en
# Python, mientras se leen las filas del origen (sin una segunda pasada).
#
# Forma canónica por tipo: enteros y texto (y enums) tal cual; booleanos ``t``/``f``; fechas y
# horas ``AAAA-MM-DD HH:MM:SS.ffffff``; reales, los 8 bytes IEEE en hexadecimal; JSON, el texto
# con que PostgreSQL muestra un ``jsonb`` (claves por longitud y después por bytes, ``", "`` y
# ``": "``); listas, como lista JSON.

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def clase_columna(columna: Any) -> str:
    """Cómo entra una columna en la forma canónica: texto, entero, bool, fecha, real, json, lista."""
    from sqlalchemy import JSON, Boolean, DateTime, Float, Integer
    from sqlalchemy.dialects import postgresql

    t = columna.type.dialect_impl(postgresql.dialect())
    if isinstance(t, postgresql.ARRAY):
        return "lista"
    if isinstance(t, (postgresql.JSONB, JSON)):
        return "json"
    if isinstance(t, Boolean):
        return "bool"
    if isinstance(t, Integer):
        return "entero"
    if isinstance(t, Float):
        return "real"
    if isinstance(t, DateTime):
        return "fecha"
    return "texto"


def _orden_jsonb(pares: list[tuple[str, Any]]) -> dict[str, Any]:
    # jsonb ordena las claves por longitud (en bytes) y después por bytes; con claves repetidas
    # queda la última (el orden estable de sorted lo respeta al armar el dict).
    return dict(sorted(pares, key=lambda kv: (len(kv[0].encode()), kv[0].encode())))


def json_canonico(texto: str) -> str:
    """El texto JSON como lo muestra PostgreSQL para un ``jsonb``."""
    return json.dumps(json.loads(texto, object_pairs_hook=_orden_jsonb), ensure_ascii=False)


def _fecha_cruda(v: str) -> str:
    # SQLAlchemy guarda en SQLite ``AAAA-MM-DD HH:MM:SS.ffffff``; otra forma (disparadores, a
    # mano) se normaliza.
    if len(v) == 26 and v[10] == " ":
        return v
    from datetime import datetime

    return datetime.fromisoformat(v).isoformat(" ", "microseconds")


def _real(v: Any) -> str:
    return struct.pack(">d", float(v)).hex()


def _lista_copy(valores: list) -> str:
    # Un arreglo de PostgreSQL en texto ('{"a","b"}'), para COPY.
    partes = [
        "NULL" if e is None else '"' + str(e).replace("\\", "\\\\").replace('"', '\\"') + '"'
        for e in valores
    ]
    return "{" + ",".join(partes) + "}"


class Suma:
    """Filas y suma de control de una tabla (ver arriba). ``crudas``: las filas como las da
    SQLite sin convertir (fechas en texto, booleanos 0/1, JSON en texto); si no, con los tipos
    de Python de ``dialecto.leer_filas``."""

    def __init__(self, tabla: Any, crudas: bool):
        self.clases = [clase_columna(c) for c in tabla.columns]
        self.crudas = crudas
        self.total = 0
        self.filas = 0
        # Una fila en COPY de PostgreSQL difiere de la canónica solo en reales y listas.
        self.copy_distinta = any(k in ("real", "lista") for k in self.clases)
        self._canon = [self._conversor(k) for k in self.clases]
        # Solo las columnas que no son texto necesitan conversión; el escape de COPY se hace a
        # toda la línea de una vez si ningún valor lo necesita (el caso de casi todas las filas).
        self._convertir = [(i, c) for i, (k, c) in enumerate(zip(self.clases, self._canon)) if k != "texto"]
        self._tabuladores = len(self.clases) - 1

    def _conversor(self, clase: str) -> Callable[[Any], str]:
        crudas = self.crudas
        if clase == "texto":
            return str
        if clase == "entero":
            return str
        if clase == "bool":
            return lambda v: "t" if v else "f"
        if clase == "real":
            return _real
        if clase == "fecha":
            return _fecha_cruda if crudas else (lambda v: v.isoformat(" ", "microseconds"))
        if clase == "json":
            if crudas:  # el JSON 'null' de SQLite es NULL (como lo lee y escribe amauta)
                return lambda v: None if v == "null" else json_canonico(v)
            return lambda v: json_canonico(json.dumps(v, ensure_ascii=False))
        # lista
        if crudas:
            return lambda v: None if v == "null" else json.dumps(json.loads(v), ensure_ascii=False)
        return lambda v: json.dumps(list(v), ensure_ascii=False)

    def sumar_linea(self, linea: str) -> None:
        self.total = (self.total + int.from_bytes(md5(linea.encode()).digest()[:8], "big", signed=True)) % MODULO_64
        self.filas += 1

    def agregar(self, fila: Any) -> str:
        """Suma ``fila`` y devuelve su forma canónica (sin el salto de línea)."""
        valores = list(fila)
        for i, c in self._convertir:
            if valores[i] is not None:
                valores[i] = c(valores[i])
        nulos = valores.count(None)
        try:
            linea = "\t".join(["\\N" if v is None else v for v in valores] if nulos else valores)
            limpia = (
                linea.count("\t") == self._tabuladores
                and linea.count("\\") == nulos
                and "\n" not in linea
                and "\r" not in linea
            )
        except TypeError:  # un número en una columna de texto (SQLite lo permite)
            limpia = False
        if not limpia:
            linea = "\t".join(["\\N" if v is None else str(v).translate(_ESCAPES) for v in valores])
        self.sumar_linea(linea)
        self._valores = valores
        return linea

    def linea_copy(self, fila: Any) -> str:
        """Suma una fila cruda de SQLite y devuelve su línea para COPY de PostgreSQL (texto)."""
        linea = self.agregar(fila)
        if not self.copy_distinta:
            return linea + "\n"
        partes = []
        for k, v, original in zip(self.clases, self._valores, fila):
            if v is None:
                partes.append("\\N")
            elif k == "real":
                partes.append(repr(float(original)))
            elif k == "lista":
                partes.append(_lista_copy(json.loads(v)).translate(_ESCAPES))
            else:
                partes.append(str(v).translate(_ESCAPES))
        return "\t".join(partes) + "\n"

    @property
    def hexa(self) -> str:
        return f"{self.total:016x}"


def suma_sql(tabla: Any) -> str:
    """La consulta de PostgreSQL que cuenta las filas de ``tabla`` y calcula su suma (la misma
    forma canónica que ``Suma``), en una sola pasada por conjuntos."""
    partes = []
    for c in tabla.columns:
        col = f'"{c.name}"'
        k = clase_columna(c)
        if k == "entero":
            e = f"{col}::text"
        elif k == "bool":
            e = f"CASE WHEN {col} THEN 't' ELSE 'f' END"
        elif k == "fecha":
            e = f"to_char({col}, 'YYYY-MM-DD HH24:MI:SS.US')"
        elif k == "real":
            e = f"encode(float8send({col}), 'hex')"
        else:
            t = {"json": f"{col}::text", "lista": f"to_jsonb({col})::text"}.get(k, f"{col}::text")
            e = (
                f"replace(replace(replace(replace({t}, E'\\\\', E'\\\\\\\\'), E'\\t', E'\\\\t'), "
                f"E'\\n', E'\\\\n'), E'\\r', E'\\\\r')"
            )
        partes.append(f"coalesce({e}, E'\\\\N')")
    linea = " || E'\\t' || ".join(partes)
    return (
        "SELECT count(*), coalesce(sum(('x' || substr(md5(" + linea + "), 1, 16))::bit(64)::bigint), 0) "
        "FROM {tabla}"
    )


# --- Bloques de COPY ---------------------------------------------------------------------------------
LOTE = 5000


def _bloques(tabla: str, filas: Iterator[tuple], suma: Suma) -> Iterator[tuple[str, int]]:
    """Bloques ``(texto de COPY, filas)`` de ``filas`` (crudas de SQLite), sumándolas en ``suma``."""
    from itertools import islice

    linea = suma.linea_copy
    it = iter(filas)
    while lote := list(islice(it, LOTE)):
        yield "".join(map(linea, lote)), len(lote)


def _leer(con: Any, tabla: Any) -> Iterator[tuple]:
    from amauta_cli.dialecto import dialecto

    return dialecto(con).leer_filas(con, tabla)


# --- Tablas ------------------------------------------------------------------------------------------
def tablas_a_copiar(bind: Any) -> list[tuple[str, Any, Any]]:
    """(nombre, tabla en el origen, tabla en el destino) en orden de dependencias; las de
    archivo (mismas columnas, otro lugar según el motor) y la auditoría (sin claves foráneas) al
    final: sus líneas, caras de armar en Python (JSON), se arman mientras el servidor todavía
    carga las tablas grandes anteriores (``dialecto.cargar_tablas``)."""
    from amauta_cli.models import metadata
    from amauta_cli.services.archivo import TABLAS as TABLAS_ARCHIVO

    AUDITORIA = "_amauta_auditoria"
    return (
        [(t.name, t, t) for t in metadata.sorted_tables if t.name != AUDITORIA]
        + [(f"archivo {n}", metadata.tables[n], metadata.tables[n]) for n in TABLAS_ARCHIVO]
        + [(AUDITORIA, metadata.tables[AUDITORIA], metadata.tables[AUDITORIA])]
    )


def _tabla_en(bind: Any, nombre: str, tabla: Any) -> Any:
    if nombre.startswith("archivo "):
        from amauta_cli.dialecto import dialecto

        return dialecto(bind).tabla_archivo(tabla)
    return tabla


# --- Comprobaciones del destino ----------------------------------------------------------------------
@dataclass(frozen=True)
class PlanCopia:
    origen: "Objetivo"
    destino: "Objetivo"
    revision: str | None
    migrar: bool
    archivo_nuevo: Path | None  # SQLite: el archivo que crearía la copia (se borra si falla)


def planificar(origen: "Objetivo | str", destino: "Objetivo | str") -> PlanCopia:
    """Comprueba origen y destino (``--destino``) sin escribir nada."""
    from sqlalchemy import inspect

    from amauta_cli.db import como_objetivo, conexion
    from amauta_cli.objetivo import desde_url
    from amauta_cli.services.esquema import cabeza, contar_filas, exigir_al_dia, revision_actual

    origen = como_objetivo(origen)
    destino = destino if not isinstance(destino, str) else desde_url(destino, "--destino")
    if destino.url == origen.url:
        raise DatosInvalidos("El destino es la misma base que el origen.")
    with conexion(origen, solo_lectura=True) as con:
        exigir_al_dia(con)
        revision = revision_actual(con)
    archivo_nuevo = None
    ruta = destino.ruta
    if destino.es_sqlite and ruta is not None:
        if ruta.exists() and ruta.is_dir():
            raise DatosInvalidos(f"--destino {ruta} es una carpeta; indique un archivo .db nuevo.")
        if not ruta.exists() or ruta.stat().st_size == 0:
            archivo_nuevo = ruta if not ruta.exists() else None
            return PlanCopia(origen, destino, revision, True, archivo_nuevo)
    with conexion(destino, solo_lectura=True) as con:
        nombres = set(inspect(con).get_table_names())
        if not nombres:
            return PlanCopia(origen, destino, revision, True, None)
        rev = revision_actual(con) if "alembic_version" in nombres else None
        if rev is None:
            raise OperacionRechazada(
                f"El destino {destino.url_enmascarada} no está vacío: tiene tablas que no son de "
                f"amauta ({', '.join(sorted(nombres)[:5])}{'...' if len(nombres) > 5 else ''}). "
                "Use una base nueva (createdb) o un archivo SQLite nuevo."
            )
        if rev != revision:
            raise OperacionRechazada(
                f"El destino {destino.url_enmascarada} está en la revisión de esquema '{rev}' y el "
                f"origen en '{revision}' (la de este amauta: '{cabeza()}'). Lleve ambos a la misma "
                "revisión (amauta db migrate) o use un destino vacío."
            )
        con_filas = {t: n for t, n in contar_filas(con).items() if n}
        from amauta_cli.dialecto import dialecto
        from amauta_cli.services.archivo import TABLAS as TABLAS_ARCHIVO
        from sqlalchemy import func, select

        d = dialecto(con)
        for t in TABLAS_ARCHIVO:
            arch = d.tabla_archivo(_modelo(t))
            n = int(con.execute(select(func.count()).select_from(arch)).scalar_one())
            if n:
                con_filas[d.nombre_archivo(t)] = n
        if con_filas:
            raise OperacionRechazada(
                f"El destino {destino.url_enmascarada} no está vacío: "
                + ", ".join(f"{t} ({plural(n, 'fila')})" for t, n in sorted(con_filas.items()))
                + ". db copiar solo escribe en una base vacía; no se cambió nada."
            )
    return PlanCopia(origen, destino, revision, False, None)


def _modelo(nombre: str) -> Any:
    from amauta_cli.models import metadata

    return metadata.tables[nombre]


def _migrar_en(con: Any, revision: str | None) -> None:
    from alembic import command

    from amauta_cli.services.esquema import config_alembic

    cfg = config_alembic()
    cfg.attributes["connection"] = con
    command.upgrade(cfg, revision or "head")


# --- Copiar --------------------------------------------------------------------------------------------
Progreso = Callable[..., Any]


def copiar(
    plan: PlanCopia,
    progreso: Progreso | None = None,
    avisar: Callable[[str], None] = lambda _m: None,
) -> ResultadoCopia:
    """Copia todo en una transacción del destino; compara y solo entonces confirma."""
    from contextlib import nullcontext

    from sqlalchemy import func, select

    from amauta_cli.db import cerrar_motores, conexion
    from amauta_cli.dialecto import dialecto

    t0 = time.perf_counter()
    resultados: list[TablaCopiada] = []
    try:
        with conexion(plan.origen, solo_lectura=True, estable=True) as src, conexion(
            plan.destino, crear=plan.migrar
        ) as dst:
            ds, dd = dialecto(src), dialecto(dst)
            if plan.migrar:
                avisar("Creando el esquema en el destino (migraciones)...")
                _migrar_en(dst, plan.revision)
            tablas = tablas_a_copiar(src)
            conteos = {}
            for nombre, modelo, _ in tablas:
                t = _tabla_en(src, nombre, modelo)
                conteos[nombre] = int(src.execute(select(func.count()).select_from(t)).scalar_one())
            total = sum(conteos.values())
            barra = progreso("Copiando", total) if progreso else nullcontext(lambda _n=1: None)
            # La auditoría se copia tal cual (es una tabla más): los disparadores de auditoría
            # del destino no deben agregar un alta por cada fila copiada.
            from amauta_cli.services.archivo import AUDITADAS

            # SQLite → PostgreSQL (el caso para el que está pensado): las filas crudas de SQLite
            # se pasan a su forma canónica, que se suma y es también la línea de COPY (sin
            # convertir a tipos de Python y de vuelta). Otros pares: filas con tipos de Python.
            crudas = ds.filas_crudas and dd.carga_por_copy
            with barra as avanzar, dd.sin_auditoria_por_fila(dst, AUDITADAS):
                sumas: list[Suma] = []
                if crudas:
                    def trabajos() -> Iterator[tuple[Any, Any]]:
                        for nombre, modelo, _ in tablas:
                            t_src = _tabla_en(src, nombre, modelo)
                            suma = Suma(t_src, crudas=True)
                            sumas.append(suma)
                            yield _tabla_en(dst, nombre, modelo), _bloques(modelo.name, ds.leer_filas_crudas(src, t_src), suma)

                    dd.cargar_tablas(dst, trabajos(), avanzar)
                else:
                    for nombre, modelo, _ in tablas:
                        t_src = _tabla_en(src, nombre, modelo)
                        suma_src = Suma(t_src, crudas=False)
                        sumas.append(suma_src)

                        def filas(t=t_src, suma=suma_src) -> Iterator[tuple]:
                            for f in _leer(src, t):
                                suma.agregar(f)
                                yield f

                        dd.cargar_filas(dst, _tabla_en(dst, nombre, modelo), filas(), avanzar)
                for (nombre, _m, _), suma in zip(tablas, sumas):
                    resultados.append(TablaCopiada(nombre, suma.filas, 0, suma.hexa, ""))
            dd.tras_copiar(dst)
            avisar("Comparando filas y sumas de control en el destino...")
            comparadas = []
            for (nombre, modelo, _), r in zip(tablas, resultados):
                t_dst = _tabla_en(dst, nombre, modelo)
                calculada = dd.suma_de_control(dst, t_dst, suma_sql(t_dst))
                if calculada is not None:  # en el servidor, una consulta por tabla
                    filas_dst, total = calculada
                    hexa_dst = f"{total % MODULO_64:016x}"
                else:  # SQLite: se leen las filas del destino y se suman igual que en el origen
                    suma = Suma(t_dst, crudas=True)
                    for f in dd.leer_filas_crudas(dst, t_dst):
                        suma.agregar(f)
                    filas_dst, hexa_dst = suma.filas, suma.hexa
                comparadas.append(TablaCopiada(nombre, conteos[nombre], filas_dst, r.suma_origen, hexa_dst))
                if r.filas_origen != conteos[nombre]:
                    comparadas[-1] = TablaCopiada(nombre, conteos[nombre], filas_dst, r.suma_origen, "leídas distinto")
            resultados = comparadas
            distintas = [r for r in resultados if not r.iguales]
            if distintas:
                raise CopiaDistinta(
                    "La copia no coincide con el origen; se deshizo y el destino quedó como estaba:",
                    [
                        f"{r.tabla}: {r.filas_origen} filas en el origen, {r.filas_destino} en el destino; "
                        f"suma {r.suma_origen} / {r.suma_destino}"
                        for r in distintas
                    ],
                )
    except BaseException:
        cerrar_motores()
        if plan.archivo_nuevo is not None:
            for sufijo in ("", "-wal", "-shm", "-journal"):
                Path(str(plan.archivo_nuevo) + sufijo).unlink(missing_ok=True)
        raise
    return ResultadoCopia(
        plan.origen.url_enmascarada,
        plan.destino.url_enmascarada,
        plan.origen.motor,
        plan.destino.motor,
        plan.revision,
        plan.migrar,
        tuple(resultados),
        time.perf_counter() - t0,
    )
