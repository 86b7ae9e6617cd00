"""Calificaciones: registrar y cargar notas de un grupo, planilla, reporte, boletín y desaprobados.

Reglas (ver también el README, sección ``amauta calificaciones``):

- Una calificación por grupo, estudiante, materia y período (índice único de la
  migración 0003): registrar o cargar de nuevo la misma nota actualiza, no duplica.
- La nota va de 0 a ``notaMaxima`` (10 por defecto; mayor que 0). Para comparar y
  promediar, toda nota se lleva a la escala de 10: ``nota / notaMaxima * 10``.
- Materia y período se comparan sin mayúsculas ni acentos: si el grupo ya tiene
  notas de "Matemáticas", ``--materia matematicas`` usa esa misma escritura.
- Lo que cada escuela define a su manera son ajustes (sección ``calificaciones`` del
  archivo de ajustes): la nota de aprobación, cómo se calcula la nota final de una
  materia y el redondeo. Ver :class:`Reglas`.
- Los reportes (``reporte``, ``boletin``, ``desaprobados``) son una o dos consultas de
  agregación (``GROUP BY``) cualquiera sea el tamaño de la base; en Python solo se
  redondea y se da forma al resultado.

Las funciones reciben una ``Session`` abierta por quien llama (una transacción por
comando) y devuelven dataclasses; no imprimen.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from amauta_cli.dialecto import dialecto
from amauta_cli.errores import DatosInvalidos, NoEncontrado, OperacionRechazada
from amauta_cli.ids import ahora, cuid, cuids
from amauta_cli import textos
from amauta_cli.parsing import parsear_decimal, revisar_texto, sin_acentos, validar_email
from amauta_cli.services import periodos as _periodos
from amauta_cli.services.comun import (
    grupo_por_nombre,
    institucion_por_nombre,
    buscar_grupo,
    buscar_institucion,
    buscar_usuario,
    estudiantes_del_grupo,
    sin_acentos_sql,
)

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session

    from amauta_cli.models import Grupo, Usuario


# --- Reglas (ajustes) -----------------------------------------------------------------------
#: Valores por defecto de la sección ``calificaciones`` del archivo de ajustes.
AJUSTES_POR_DEFECTO: dict[str, Any] = {
    "nota_aprobacion": 6,
    "nota_final": "promedio",
    "pesos": {},
    "decimales": 2,
}
REGLAS_NOTA_FINAL = ("promedio", "ponderado")
ESCALA = 10.0
#: Prefijo de los bloqueos por grupo y período (``cargar`` y ``registrar`` toman los mismos).
CLAVE_BLOQUEO = "amauta.calificaciones"

APROBADO = "aprobado"
DESAPROBADO = "desaprobado"
SIN_NOTA = "sin nota"


@dataclass(frozen=True)
class Reglas:
    """Las reglas en las que las escuelas difieren.

    - ``nota_aprobacion``: nota final mínima para aprobar, en la escala de 10 (6).
      Se aprueba con la nota final redondeada mayor o igual a esta.
    - ``nota_final``: ``promedio`` (de los períodos con nota) o ``ponderado``
      (promedio ponderado con ``pesos``: período → peso; un período sin peso vale 1).
    - ``decimales``: decimales de toda nota mostrada y de la nota final (2), redondeo
      "mitad hacia arriba" (5,995 → 6,00).
    """

    nota_aprobacion: float = 6.0
    nota_final: str = "promedio"
    pesos: tuple[tuple[str, float], ...] = ()
    decimales: int = 2

    def redondear(self, valor: float | None) -> float | None:
        """Mitad hacia arriba, como se redondea a mano el número escrito en decimal.

        El ``1e-9`` absorbe el ruido binario (5,995 puede llegar como 5,99499999...; 8,875
        de un promedio, como 8,87499999...), que de otro modo redondearía hacia abajo.
        Las notas no son negativas. Se usa en cada fila de los reportes: sin Decimal.
        """
        if valor is None:
            return None
        escala = 10**self.decimales
        return math.floor(valor * escala + 0.5 + 1e-9) / escala

    def condicion(self, nota_redondeada: float | None) -> str:
        if nota_redondeada is None:
            return SIN_NOTA
        return APROBADO if nota_redondeada >= self.nota_aprobacion else DESAPROBADO

    @property
    def umbral_sql(self) -> float:
        """Cota para filtrar en SQL: una nota desaprueba si y solo si está por debajo
        (salvo el ruido binario de ``1e-9``, que se decide en Python con :meth:`redondear`).

        Si ``q`` es el menor valor redondeado que aprueba (la nota de aprobación llevada
        hacia arriba a ``decimales``), redondear da ``q`` o más exactamente desde
        ``q - medio decimal``: con 6 y 2 decimales, 5,995 aprueba y 5,99499 no.
        """
        escala = 10**self.decimales
        q = math.ceil(self.nota_aprobacion * escala - 1e-9) / escala
        return q - 0.5 / escala + 1e-9

    def como_dict(self) -> dict[str, Any]:
        return {
            "nota_aprobacion": self.nota_aprobacion,
            "nota_final": self.nota_final,
            "pesos": dict(self.pesos),
            "decimales": self.decimales,
            "escala": ESCALA,
        }


def reglas(ruta: Path | None = None) -> Reglas:
    """Las reglas del archivo de ajustes (sección ``calificaciones``), validadas."""
    from amauta_cli import ajustes

    datos = ajustes.seccion("calificaciones", AJUSTES_POR_DEFECTO, ruta)
    origen = ruta or ajustes.ruta_ajustes()
    return reglas_de(datos, str(origen))


def reglas_de(datos: dict[str, Any], origen: str = "ajustes") -> Reglas:
    """Valida una sección ``calificaciones`` ya leída y devuelve las ``Reglas``."""
    datos = {**AJUSTES_POR_DEFECTO, **datos}
    aprobacion = datos["nota_aprobacion"]
    if isinstance(aprobacion, bool) or not isinstance(aprobacion, (int, float)) or not (
        0 < aprobacion <= ESCALA
    ):
        raise DatosInvalidos(
            f"{origen}: calificaciones.nota_aprobacion debe ser un número mayor que 0 y hasta "
            f"10 (la escala de 10); se leyó {aprobacion!r}."
        )
    regla = datos["nota_final"]
    if not isinstance(regla, str) or regla.strip().lower() not in REGLAS_NOTA_FINAL:
        raise DatosInvalidos(
            f"{origen}: calificaciones.nota_final debe ser {' o '.join(REGLAS_NOTA_FINAL)}; "
            f"se leyó {regla!r}."
        )
    regla = regla.strip().lower()
    pesos = datos["pesos"] or {}
    if not isinstance(pesos, dict):
        raise DatosInvalidos(
            f"{origen}: calificaciones.pesos debe ser un mapa período: peso "
            f"(por ejemplo '3er Trimestre: 2'); se leyó {pesos!r}."
        )
    pares: list[tuple[str, float]] = []
    for periodo, peso in pesos.items():
        if isinstance(peso, bool) or not isinstance(peso, (int, float)) or not peso > 0:
            raise DatosInvalidos(
                f"{origen}: calificaciones.pesos['{periodo}'] debe ser un número mayor que 0; "
                f"se leyó {peso!r}."
            )
        pares.append((sin_acentos(_limpiar(str(periodo))), float(peso)))
    if pesos and regla != "ponderado":
        raise DatosInvalidos(
            f"{origen}: calificaciones.pesos solo se usa con nota_final: ponderado "
            f"(nota_final es '{regla}')."
        )
    decimales = datos["decimales"]
    if isinstance(decimales, bool) or not isinstance(decimales, int) or not 0 <= decimales <= 4:
        raise DatosInvalidos(
            f"{origen}: calificaciones.decimales debe ser un entero de 0 a 4; se leyó {decimales!r}."
        )
    return Reglas(float(aprobacion), regla, tuple(pares), decimales)


# --- Utilidades ----------------------------------------------------------------------------
_ESPACIOS = re.compile(r"\s+")
_PARTES = re.compile(r"(\d+)")


def _limpiar(texto: str) -> str:
    """Sin espacios alrededor y con los espacios internos colapsados."""
    return _ESPACIOS.sub(" ", texto).strip()


def orden_natural(texto: str) -> tuple:
    """Clave de orden: los números por su valor ("2do" antes que "10mo"), el texto sin acentos."""
    partes = _PARTES.split(sin_acentos(texto))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in partes if p)


def formatear_nota(valor: float | None, decimales: int | None = None) -> str:
    """Una nota para leer: coma decimal y sin ceros de más (``8,5``; ``10``; ``sin nota``)."""
    if valor is None:
        return SIN_NOTA
    if decimales is not None:
        return textos.numero(valor, decimales, recortar=False)
    return textos.nota(valor)


def _nombre_completo(nombre: str, apellido: str) -> str:
    return f"{nombre} {apellido}".strip()


def _texto_obligatorio(valor: str | None, opcion: str) -> str:
    limpio = _limpiar(revisar_texto(valor or "", opcion, opcion.lstrip("-")))
    if not limpio:
        raise DatosInvalidos(f"{opcion} no puede estar vacío.")
    return limpio


def _canonico(s: Session, grupo_id: str, columna: Any, valor: str) -> str:
    """La escritura que el grupo ya usa para esa materia o período (sin acentos ni mayúsculas)."""
    from amauta_cli.models import Calificacion as C
    from sqlalchemy import select

    existente = s.scalar(
        select(columna)
        .where(C.grupoId == grupo_id, sin_acentos_sql(columna) == sin_acentos(valor))
        .order_by(columna)
        .limit(1)
    )
    return existente if existente is not None else valor


def _validar_nota_maxima(texto: str | float, campo: str = "--nota-maxima") -> float:
    maxima = parsear_decimal(texto, campo)
    if maxima <= 0:
        raise DatosInvalidos(
            f"{campo}: la nota máxima debe ser mayor que 0 (se indicó {formatear_nota(maxima)})."
        )
    return maxima


def _problema_rango(nota: float, maxima: float) -> str | None:
    if 0 <= nota <= maxima:
        return None
    return f"la nota {formatear_nota(nota)} está fuera de rango (de 0 a {formatear_nota(maxima)})"


def _upsert(s: Session, filas: list[dict[str, Any]], con_observaciones: bool = True) -> None:
    """INSERT ... ON CONFLICT sobre la clave única (grupo, estudiante, materia, período).

    Una sentencia compilada UNA vez y ejecutada con todas las filas (``executemany``: el
    driver la manda en lotes de muchas filas). Antes se armaba un ``INSERT ... VALUES`` con
    las filas adentro por cada lote de 500: SQLAlchemy compilaba 300.000 parámetros para una
    planilla de 30.000 notas (unos 10 s de CPU).
    """
    from amauta_cli.models import Calificacion

    if not filas:
        return
    tabla = Calificacion.__table__
    stmt = dialecto(s).insertar(tabla)
    cambios = {
        "nota": stmt.excluded.nota,
        "notaMaxima": stmt.excluded.notaMaxima,
        "updatedAt": stmt.excluded.updatedAt,
    }
    if con_observaciones:
        cambios["observaciones"] = stmt.excluded.observaciones
    stmt = stmt.on_conflict_do_update(
        index_elements=[tabla.c.grupoId, tabla.c.estudianteId, tabla.c.materia, tabla.c.periodo],
        set_=cambios,
    )
    s.connection().execute(stmt, filas)


def _upsert_planilla(
    c: Any,
    grupo_id: str,
    materia: str,
    periodo: str,
    maxima: float,
    filas: list[tuple[str, str, float, str | None]],
    con_observaciones: bool,
) -> None:
    """El upsert de una planilla entera: ``(id, estudianteId, nota, observaciones)`` de cada
    fila a una tabla temporal (``COPY`` en PostgreSQL) y un solo ``INSERT ... SELECT ... ON
    CONFLICT`` con el grupo, la materia, el período, la nota máxima y la hora en parámetros.

    Como lo haría un DBA en ``psql``. Medido con 30.000 notas: un ``INSERT ... VALUES`` por
    cada 500 filas armado por SQLAlchemy costaba ~10 s de CPU compilándolo; ``executemany``,
    una ida y vuelta por fila. SQL a secas (``c``: una ``db.Cruda``).
    """
    if not filas:
        return
    d = c.d
    tmp = d.crear_temporal_sql(c, "amauta_calif_carga", "id text, est text, nota double precision, obs text")
    d.cargar_temporal_sql(c, tmp, ["id", "est", "nota", "obs"], filas)
    obs = ', observaciones = excluded.observaciones' if con_observaciones else ""
    c.ejecutar(
        'INSERT INTO "Calificacion" (id, "grupoId", "estudianteId", materia, periodo, nota, '
        '"notaMaxima", observaciones, "createdAt", "updatedAt") '
        f"SELECT id, :g, est, :m, :p, nota, :max, obs, :t, :t FROM {tmp} WHERE true "
        'ON CONFLICT ("grupoId", "estudianteId", materia, periodo) DO UPDATE SET '
        f'nota = excluded.nota, "notaMaxima" = excluded."notaMaxima"{obs}, '
        '"updatedAt" = excluded."updatedAt"',
        g=grupo_id, m=materia, p=periodo, max=maxima, t=d.fecha_hora_a_bd(ahora()),
    )
    c.ejecutar(f"DROP TABLE IF EXISTS {tmp}")


def _fila_nueva(
    grupo_id: str,
    estudiante_id: str,
    materia: str,
    periodo: str,
    nota: float,
    maxima: float,
    observaciones: str | None,
) -> dict[str, Any]:
    t = ahora()
    return {
        "id": cuid(),
        "grupoId": grupo_id,
        "estudianteId": estudiante_id,
        "materia": materia,
        "periodo": periodo,
        "nota": nota,
        "notaMaxima": maxima,
        "observaciones": observaciones,
        "createdAt": t,
        "updatedAt": t,
    }


# --- registrar -------------------------------------------------------------------------------
@dataclass
class Registro:
    """Resultado de ``registrar``: qué había y qué quedó."""

    accion: str  # "creada" | "actualizada" | "sin cambios"
    grupo: str
    email: str
    estudiante: str
    materia: str
    periodo: str
    nota: float
    nota_maxima: float
    observaciones: str | None
    nota_anterior: float | None = None
    nota_maxima_anterior: float | None = None
    observaciones_anterior: str | None = None


def _canonico_sql(c: Any, grupo_id: str, columna: str, valor: str) -> str:
    """``_canonico`` en SQL a secas: la escritura que el grupo ya usa (``materia`` o ``periodo``)."""
    assert columna in ("materia", "periodo")
    existente = c.valor(
        f'SELECT {columna} FROM "Calificacion" WHERE "grupoId" = :g '
        f"AND {c.d.sin_acentos_sql_texto(columna)} = :v ORDER BY {columna} LIMIT 1",
        g=grupo_id,
        v=sin_acentos(valor),
    )
    return existente if existente is not None else valor


def bloquear_grupo_periodo(c: Any, grupo_id: str, periodo: str) -> None:
    """Serializa hasta el commit las cargas y registros de un grupo y período (sin acentos ni
    mayúsculas): dos a la vez no crean dos escrituras de una materia nueva ni se pisan las
    notas, y los conteos que cada uno informa son ciertos. Se toma ANTES de resolver la
    escritura de la materia y el período."""
    from amauta_cli.services.calendario import clave_periodo

    # Por la clave del período: "1T" y "1er Trimestre" toman el mismo bloqueo.
    c.d.bloqueo_sql(c, CLAVE_BLOQUEO, grupo_id, clave_periodo(periodo))


def registrar(
    con: Any,
    grupo: str,
    estudiante: str,
    materia: str,
    periodo: str,
    nota: str | float,
    nota_maxima: str | float = 10,
    observaciones: str | None = None,
    institucion: str | None = None,
) -> Registro:
    """Crea o actualiza la calificación de un estudiante. ``observaciones=None`` no las toca.

    ``con``: una ``db.Cruda`` (el comando, sin SQLAlchemy) o una sesión de SQLAlchemy.
    """
    from amauta_cli.db import cruda
    from amauta_cli.services.comun import usuario_por_email

    c = cruda(con)
    materia = _texto_obligatorio(materia, "--materia")
    periodo = _texto_obligatorio(periodo, "--periodo")
    valor = parsear_decimal(nota, "--nota")
    maxima = _validar_nota_maxima(nota_maxima)
    if (problema := _problema_rango(valor, maxima)) is not None:
        raise DatosInvalidos(f"--nota: {problema}.")
    g = grupo_por_nombre(c, grupo, institucion=institucion, exigir_activo=True)
    u = usuario_por_email(c, estudiante)
    miembro = c.valor(
        'SELECT 1 FROM "GrupoEstudiante" WHERE "grupoId" = :g AND "estudianteId" = :u',
        g=g.id,
        u=u.id,
    )
    if miembro is None:
        raise OperacionRechazada(
            f"{u.email} ({_nombre_completo(u.nombre, u.apellido)}) no pertenece al grupo "
            f"'{g.nombre}': no se registró la nota. Vea los estudiantes del grupo con "
            f"`amauta calificaciones ver --grupo \"{g.nombre}\" --materia ... --periodo ...`."
        )
    if not u.activo:
        raise OperacionRechazada(_inactivo(u.email, _nombre_completo(u.nombre, u.apellido)))
    bloquear_grupo_periodo(c, g.id, periodo)
    materia = _canonico_sql(c, g.id, "materia", materia)
    periodo = _periodos.normalizar(c, g, periodo)
    obs = None if observaciones is None else (revisar_texto(observaciones, "--observaciones", "observaciones") or None)
    previa = c.uno(
        'SELECT nota, "notaMaxima", observaciones FROM "Calificacion" WHERE "grupoId" = :g '
        'AND "estudianteId" = :u AND materia = :m AND periodo = :p',
        g=g.id,
        u=u.id,
        m=materia,
        p=periodo,
    )
    r = Registro(
        "creada",
        g.nombre,
        u.email,
        _nombre_completo(u.nombre, u.apellido),
        materia,
        periodo,
        valor,
        maxima,
        obs,
    )
    if previa is not None:
        r.nota_anterior, r.nota_maxima_anterior, r.observaciones_anterior = previa
        if observaciones is None:
            r.observaciones = previa[2]
        igual = tuple(previa) == (r.nota, r.nota_maxima, r.observaciones)
        r.accion = "sin cambios" if igual else "actualizada"
        if igual:
            return r
    _upsert_sql(c, [_fila_nueva(g.id, u.id, materia, periodo, valor, maxima, r.observaciones)])
    return r


def _upsert_sql(c: Any, filas: list[dict[str, Any]]) -> None:
    """``_upsert`` en SQL a secas (observaciones incluidas)."""
    a_bd = c.d.fecha_hora_a_bd
    c.ejecutar_muchos(
        'INSERT INTO "Calificacion" (id, "grupoId", "estudianteId", materia, periodo, nota, '
        '"notaMaxima", observaciones, "createdAt", "updatedAt") VALUES (:id, :grupoId, '
        ":estudianteId, :materia, :periodo, :nota, :notaMaxima, :observaciones, :createdAt, "
        ':updatedAt) ON CONFLICT ("grupoId", "estudianteId", materia, periodo) DO UPDATE SET '
        'nota = excluded.nota, "notaMaxima" = excluded."notaMaxima", '
        'observaciones = excluded.observaciones, "updatedAt" = excluded."updatedAt"',
        [{**f, "createdAt": a_bd(f["createdAt"]), "updatedAt": a_bd(f["updatedAt"])} for f in filas],
    )


def _inactivo(email: str, nombre: str) -> str:
    return (
        f"{email} ({nombre}) está inactivo: no se le registran notas. Si volvió a la escuela, "
        f"actívelo con `amauta usuarios activar {email}`."
    )


# --- cargar ----------------------------------------------------------------------------------
COLUMNAS_CSV_OPCIONALES = ["email", "matricula", "observaciones"]


@dataclass
class Cambio:
    email: str
    estudiante: str
    nota_anterior: float
    nota: float
    nota_maxima_anterior: float
    nota_maxima: float


@dataclass
class ResultadoCarga:
    grupo: str
    materia: str
    periodo: str
    archivo: str
    filas: int
    creadas: int
    actualizadas: int
    sin_cambios: int
    simulado: bool
    cambios: list[Cambio] = field(default_factory=list)
    sin_nota: list[str] = field(default_factory=list)  # emails del grupo que el archivo no trae
    columnas_ignoradas: list[str] = field(default_factory=list)
    codificacion: str = ""
    separador: str = ""


def cargar(
    s: Session,
    grupo: str,
    materia: str,
    periodo: str,
    archivo: str | Path | bytes,
    nota_maxima: str | float = 10,
    simular: bool = False,
    institucion: str | None = None,
) -> ResultadoCarga:
    """Carga las notas de una materia y un período para el grupo, desde un CSV.

    Valida todo el archivo antes de escribir: si alguna línea tiene un problema no se
    escribe nada y se informan todas. Después, un único upsert (las notas nuevas o
    cambiadas pasan por una tabla temporal: ``_upsert_planilla``). ``simular`` hace todo menos escribir.
    """
    from amauta_cli.csvio import iterar_csv, problema_linea

    from amauta_cli.db import cruda

    c = cruda(s)  # SQL a secas: el comando no importa el ORM (tarda más que la carga misma)
    materia = _texto_obligatorio(materia, "--materia")
    periodo = _texto_obligatorio(periodo, "--periodo")
    maxima = _validar_nota_maxima(nota_maxima)
    g = grupo_por_nombre(c, grupo, institucion=institucion, exigir_activo=True)
    nombre_archivo = "(datos)" if isinstance(archivo, bytes) else str(archivo)
    # Antes de leer nada del grupo: otra carga del mismo grupo y período espera a que esta
    # termine, y después ve sus notas y la escritura de la materia que eligió.
    bloquear_grupo_periodo(c, g.id, periodo)
    periodo = _periodos.normalizar(c, g, periodo)

    problemas: list[str] = []
    lector = iterar_csv(
        archivo, ["nota"], COLUMNAS_CSV_OPCIONALES, problemas=problemas
    )
    por_email_col = "email" in lector.columnas
    por_matricula_col = "matricula" in lector.columnas
    if not (por_email_col or por_matricula_col):
        raise DatosInvalidos(
            f"{nombre_archivo}: el CSV necesita una columna 'email' o 'matricula' para "
            f"identificar a cada estudiante (columnas encontradas: "
            f"{', '.join(lector.columnas + lector.columnas_ignoradas)})."
        )
    con_observaciones = "observaciones" in lector.columnas

    alumnos = estudiantes_del_grupo(c, g.id)
    por_id = {a["id"]: a for a in alumnos}
    por_email = {a["email"].lower(): a for a in alumnos}
    por_matricula: dict[str, dict[str, Any]] = {}
    for a in alumnos:
        if a["matricula"]:
            por_matricula.setdefault(a["matricula"].strip().casefold(), a)

    validas: dict[str, tuple[int, float, str | None]] = {}  # estudianteId -> (línea, nota, obs)
    pendientes: list[tuple[int, int, str]] = []  # (índice en problemas, línea, email)
    filas = 0
    for fila in lector:
        filas += 1
        linea, v = fila.linea, fila.valores
        email, matricula = v.get("email", ""), v.get("matricula", "")
        alumno = None
        if email:
            try:
                email = validar_email(email, "email")
            except DatosInvalidos as e:
                problemas.append(problema_linea(linea, e.mensaje))
                continue
            alumno = por_email.get(email)
            if alumno is None:
                pendientes.append((len(problemas), linea, email))
                problemas.append("")  # se completa después con una sola consulta
                continue
            if matricula and (alumno["matricula"] or "").strip().casefold() != matricula.casefold():
                problemas.append(
                    problema_linea(
                        linea,
                        f"el email {email} y la matrícula '{matricula}' no son del mismo estudiante "
                        f"(la matrícula de {email} es '{alumno['matricula'] or 'ninguna'}')",
                    )
                )
                continue
        elif matricula:
            alumno = por_matricula.get(matricula.casefold())
            if alumno is None:
                problemas.append(
                    problema_linea(
                        linea, f"ningún estudiante del grupo '{g.nombre}' tiene la matrícula '{matricula}'"
                    )
                )
                continue
        else:
            problemas.append(problema_linea(linea, "falta el email o la matrícula del estudiante"))
            continue
        if not alumno["activo"]:
            problemas.append(
                problema_linea(linea, _inactivo(alumno["email"], _nombre_completo(alumno["nombre"], alumno["apellido"])))
            )
            continue
        texto_nota = v.get("nota", "")
        if not texto_nota:
            problemas.append(
                problema_linea(
                    linea,
                    f"falta la nota de {alumno['email']} (si no tiene nota, quite la línea)",
                )
            )
            continue
        try:
            valor = parsear_decimal(texto_nota, "nota")
        except DatosInvalidos as e:
            problemas.append(problema_linea(linea, e.mensaje))
            continue
        if (problema := _problema_rango(valor, maxima)) is not None:
            problemas.append(problema_linea(linea, f"{alumno['email']}: {problema}"))
            continue
        if alumno["id"] in validas:
            anterior = validas[alumno["id"]][0]
            problemas.append(
                problema_linea(
                    linea, f"{alumno['email']} está repetido (ya aparece en la línea {anterior})"
                )
            )
            continue
        try:
            obs = revisar_texto(v.get("observaciones", ""), "observaciones", "observaciones") or None
        except DatosInvalidos as e:
            problemas.append(problema_linea(linea, e.mensaje))
            continue
        validas[alumno["id"]] = (linea, valor, obs)

    if pendientes:
        emails = sorted({e for _, _, e in pendientes})
        donde, valor_emails = c.d.en_lista_sql("lower(email)", "emails", emails)
        existentes = {e for (e,) in c.filas(f'SELECT lower(email) FROM "Usuario" WHERE {donde}', emails=valor_emails)}
        for indice, linea, email in pendientes:
            if email in existentes:
                texto = f"{email} no pertenece al grupo '{g.nombre}'"
            else:
                texto = f"no existe un usuario con el email {email}"
            problemas[indice] = problema_linea(linea, texto)
    if problemas:
        raise DatosInvalidos(
            f"{nombre_archivo}: {len(problemas)} "
            f"{'línea con problemas' if len(problemas) == 1 else 'líneas con problemas'}; "
            "no se cargó ninguna nota. Corrija el archivo y vuelva a intentar.",
            problemas,
        )
    if filas == 0:
        raise DatosInvalidos(f"{nombre_archivo}: el archivo no tiene filas de notas.")

    materia = _canonico_sql(c, g.id, "materia", materia)
    existentes_notas = {
        est: (nota, nota_maxima, observaciones)
        for est, nota, nota_maxima, observaciones in c.filas(
            'SELECT "estudianteId", nota, "notaMaxima", observaciones FROM "Calificacion" '
            'WHERE "grupoId" = :g AND materia = :m AND periodo = :p',
            g=g.id, m=materia, p=periodo,
        )
    }
    r = ResultadoCarga(
        g.nombre,
        materia,
        periodo,
        nombre_archivo,
        filas,
        0,
        0,
        0,
        simular,
        columnas_ignoradas=list(lector.columnas_ignoradas),
        codificacion=lector.codificacion,
        separador=lector.separador,
    )
    escribir: list[tuple[str, str, float, str | None]] = []
    ids = iter(cuids(len(validas)))  # de una vez: 30.000 cuid() costaban ~300 ms
    for est_id, (_linea, valor, obs) in sorted(validas.items(), key=lambda kv: kv[1][0]):
        previa = existentes_notas.get(est_id)
        if previa is not None:
            nota_previa, maxima_previa, obs_previa = previa
            obs_final = obs if con_observaciones else obs_previa
            if (nota_previa, maxima_previa, obs_previa) == (valor, maxima, obs_final):
                r.sin_cambios += 1
                continue
            r.actualizadas += 1
            if (nota_previa, maxima_previa) != (valor, maxima):
                a = por_id[est_id]
                r.cambios.append(
                    Cambio(
                        a["email"],
                        _nombre_completo(a["nombre"], a["apellido"]),
                        nota_previa,
                        valor,
                        maxima_previa,
                        maxima,
                    )
                )
        else:
            r.creadas += 1
            obs_final = obs
        escribir.append((next(ids), est_id, valor, obs_final))
    con_nota = set(validas) | set(existentes_notas)
    r.sin_nota = [a["email"] for a in alumnos if a["id"] not in con_nota and a["activo"]]
    if not simular:
        _upsert_planilla(c, g.id, materia, periodo, maxima, escribir, con_observaciones)
    return r


# --- ver -------------------------------------------------------------------------------------
@dataclass
class FilaPlanilla:
    apellido: str
    nombre: str
    email: str
    matricula: str | None
    nota: float | None
    nota_maxima: float | None
    nota_10: float | None
    condicion: str
    observaciones: str | None
    en_grupo: bool = True
    #: False: el estudiante está dado de baja (figura solo si tiene la nota).
    activo: bool = True


@dataclass
class Planilla:
    grupo: str
    institucion: str
    materia: str
    periodo: str
    existe: bool  # False: el grupo no tiene ninguna nota de esa materia y período
    filas: list[FilaPlanilla]
    promedio: float | None
    materias_del_grupo: list[str] = field(default_factory=list)
    periodos_del_grupo: list[str] = field(default_factory=list)

    @property
    def con_nota(self) -> int:
        return sum(1 for f in self.filas if f.nota is not None)


def ver(
    s: Session,
    grupo: str,
    materia: str,
    periodo: str,
    institucion: str | None = None,
    r: Reglas | None = None,
) -> Planilla:
    """La lista del grupo para una materia y un período, con la nota de cada uno o "sin nota"."""
    from amauta_cli.models import Calificacion as C, Usuario
    from sqlalchemy import select

    r = r or reglas()
    materia = _texto_obligatorio(materia, "--materia")
    periodo = _texto_obligatorio(periodo, "--periodo")
    g = buscar_grupo(s, grupo, institucion=institucion)
    materia = _canonico(s, g.id, C.materia, materia)
    periodo = _periodos.normalizar(s, g, periodo)
    alumnos = estudiantes_del_grupo(s, g.id)
    notas = {
        f.estudianteId: f
        for f in s.execute(
            select(
                C.estudianteId,
                C.nota,
                C.notaMaxima,
                C.observaciones,
                Usuario.email,
                Usuario.nombre,
                Usuario.apellido,
            )
            .join(Usuario, Usuario.id == C.estudianteId)
            .where(C.grupoId == g.id, C.materia == materia, C.periodo == periodo)
        )
    }
    filas: list[FilaPlanilla] = []
    miembros = set()
    for a in alumnos:
        miembros.add(a["id"])
        n = notas.get(a["id"])
        if not a["activo"] and n is None:
            continue  # dado de baja y sin nota: no es parte de la lista
        f = _fila_planilla(a["apellido"], a["nombre"], a["email"], a["matricula"], n, r)
        f.activo = a["activo"]
        filas.append(f)
    for est_id, n in notas.items():
        if est_id not in miembros:  # tiene nota pero ya no está en el grupo
            f = _fila_planilla(n.apellido, n.nombre, n.email, None, n, r)
            f.en_grupo = False
            filas.append(f)
    valores = [f.nota_10 for f in filas if f.nota_10 is not None]
    promedio = r.redondear(math.fsum(valores) / len(valores)) if valores else None
    p = Planilla(g.nombre, g.institucion.nombre, materia, periodo, bool(notas), filas, promedio)
    if not notas:
        p.materias_del_grupo = sorted(
            s.scalars(select(C.materia).where(C.grupoId == g.id).distinct()), key=orden_natural
        )
        p.periodos_del_grupo = sorted(
            s.scalars(
                select(C.periodo).where(C.grupoId == g.id, C.materia == materia).distinct()
            ),
            key=orden_natural,
        )
    return p


def _fila_planilla(
    apellido: str, nombre: str, email: str, matricula: str | None, n: Any, r: Reglas
) -> FilaPlanilla:
    if n is None:
        return FilaPlanilla(apellido, nombre, email, matricula, None, None, None, SIN_NOTA, None)
    n10 = r.redondear(n.nota * ESCALA / n.notaMaxima) if n.notaMaxima > 0 else None
    return FilaPlanilla(
        apellido,
        nombre,
        email,
        matricula,
        n.nota,
        n.notaMaxima,
        n10,
        r.condicion(n10),
        n.observaciones,
    )


# --- Agregados por grupo (reporte y boletín) --------------------------------------------------
@dataclass
class _Agregados:
    """Lo que devuelve la consulta de agregación de un grupo, ya en diccionarios."""

    por_periodo: dict[tuple[str, str, str], float | None]  # (estudiante, materia, período)
    finales: dict[tuple[str, str], float | None]  # (estudiante, materia)
    grupo: dict[tuple[str, str], float | None]  # (materia, período): promedio del grupo
    materias: list[str]
    periodos: dict[str, list[str]]  # materia -> períodos con nota en el grupo
    estudiantes: set[str]


def _origen_sql(c: Any, incluir_archivo: bool) -> str:
    """``"Calificacion"`` o, con ``incluir_archivo``, las filas vivas y las archivadas (0006)
    como un solo origen (las columnas que usan los reportes)."""
    if not incluir_archivo:
        return '"Calificacion"'
    cols = '"grupoId", "estudianteId", materia, periodo, nota, "notaMaxima"'
    return f'(SELECT {cols} FROM "Calificacion" UNION ALL SELECT {cols} FROM {c.d.nombre_archivo("Calificacion")})'


#: La nota de ``k`` en la escala de 10 (NULL si ``notaMaxima`` no es positiva, dato ajeno a amauta).
_N10_SQL = (
    f'(CASE WHEN k."notaMaxima" > 0 THEN (k.nota * {ESCALA!r}) / CAST(k."notaMaxima" AS DOUBLE PRECISION) '
    "ELSE NULL END)"
)


def _final_sql(d: Any, r: Reglas, params: dict[str, Any]) -> str:
    """La agregación de la nota final de una materia según la regla (sobre ``k``); agrega a
    ``params`` los pesos de los períodos."""
    if r.nota_final == "ponderado" and r.pesos:
        casos = []
        for i, (clave, peso) in enumerate(r.pesos):
            casos.append(f"WHEN {d.sin_acentos_sql_texto('k.periodo')} = :pp{i} THEN :pv{i}")
            params[f"pp{i}"], params[f"pv{i}"] = clave, float(peso)
        peso_sql = f"(CASE {' '.join(casos)} ELSE 1.0 END)"
        return (
            f"(sum({_N10_SQL} * {peso_sql}) / "
            f"CAST(sum(CASE WHEN {_N10_SQL} IS NOT NULL THEN {peso_sql} ELSE NULL END) AS DOUBLE PRECISION))"
        )
    return f"avg({_N10_SQL})"


def _agregados(
    con: Any,
    grupo_id: str,
    r: Reglas,
    materia: str | None = None,
    estudiante_id: str | None = None,
    incluir_archivo: bool = False,
) -> _Agregados:
    """UNA consulta (tres ``GROUP BY`` unidos con ``UNION ALL``): la nota de cada estudiante
    por materia y período, su nota final por materia y el promedio del grupo por período.

    SQL a secas (``con``: una ``db.Cruda`` o una sesión); con ``incluir_archivo``, también las
    notas archivadas.
    """
    from amauta_cli.db import cruda

    c = cruda(con)
    params: dict[str, Any] = {"g": grupo_id}
    del_grupo = 'k."grupoId" = :g'
    if materia:
        del_grupo += " AND k.materia = :m"
        params["m"] = materia
    del_estudiante = del_grupo
    if estudiante_id:
        del_estudiante += ' AND k."estudianteId" = :e'
        params["e"] = estudiante_id
    origen = _origen_sql(c, incluir_archivo)
    final = _final_sql(c.d, r, params)
    consulta = (
        f'SELECT 1 AS nivel, k."estudianteId" AS estudiante, k.materia AS materia, k.periodo AS periodo, '
        f"CAST(avg({_N10_SQL}) AS FLOAT) AS valor FROM {origen} k WHERE {del_estudiante} "
        'GROUP BY k."estudianteId", k.materia, k.periodo '
        f'UNION ALL SELECT 2, k."estudianteId", k.materia, CAST(NULL AS TEXT), CAST({final} AS FLOAT) '
        f'FROM {origen} k WHERE {del_estudiante} GROUP BY k."estudianteId", k.materia '
        f"UNION ALL SELECT 3, CAST(NULL AS TEXT), k.materia, k.periodo, CAST(avg({_N10_SQL}) AS FLOAT) "
        f"FROM {origen} k WHERE {del_grupo} GROUP BY k.materia, k.periodo"
    )
    a = _Agregados({}, {}, {}, [], {}, set())
    for nivel, est, mat, per, valor in c.filas(consulta, **params):
        if nivel == 1:
            a.por_periodo[(est, mat, per)] = valor
            a.estudiantes.add(est)
        elif nivel == 2:
            a.finales[(est, mat)] = valor
        else:
            a.grupo[(mat, per)] = valor
            a.periodos.setdefault(mat, []).append(per)
    a.materias = sorted(a.periodos, key=orden_natural)
    for mat in a.materias:
        a.periodos[mat].sort(key=orden_natural)
    return a


def _alumnos_y_exalumnos(
    s: Session, grupo_id: str, con_nota: Iterable[str]
) -> list[dict[str, Any]]:
    """El padrón del grupo más quienes tienen notas en él pero ya no están (al final).
    SQL a secas (``s``: una ``db.Cruda`` o una sesión)."""
    from amauta_cli.db import cruda

    c = cruda(s)
    alumnos = estudiantes_del_grupo(c, grupo_id)
    ids = {a["id"] for a in alumnos}
    faltan = sorted(set(con_nota) - ids)
    if faltan:
        o = c.d.orden_es_sql
        donde, valor = c.d.en_lista_sql("u.id", "ids", faltan)
        extra = c.dicts(
            'SELECT u.id, u.email, u.nombre, u.apellido, u.activo, p.matricula FROM "Usuario" u '
            f'LEFT JOIN "Perfil" p ON p."usuarioId" = u.id WHERE {donde} '
            f"ORDER BY {o('u.apellido')}, {o('u.nombre')}, u.email",
            ids=valor,
        )
        for d in extra:
            d["activo"] = bool(d["activo"])
            d["en_grupo"] = False
            alumnos.append(d)
    return alumnos


# --- reporte ---------------------------------------------------------------------------------
@dataclass
class FilaReporte:
    email: str
    apellido: str
    nombre: str
    notas: dict[str, float | None]
    promedio: float | None
    condicion: str
    #: False: el estudiante está dado de baja (figura por sus notas de antes).
    activo: bool = True


@dataclass
class MateriaReporte:
    materia: str
    periodos: list[str]
    estudiantes: list[FilaReporte]
    promedio_grupo: dict[str, float | None]
    promedio_grupo_final: float | None
    aprobados: int
    desaprobados: int


@dataclass
class Reporte:
    grupo: str
    institucion: str
    reglas: dict[str, Any]
    materias: list[MateriaReporte]
    #: Notas archivadas del grupo que el reporte no cuenta (sin --incluir-archivo).
    archivadas: int = 0


def reporte(
    s: Session,
    grupo: str,
    materia: str | None = None,
    institucion: str | None = None,
    r: Reglas | None = None,
    incluir_archivo: bool = False,
) -> Reporte:
    """Por materia: cada estudiante por períodos con su nota final, y el promedio del grupo.

    SQL a secas (``s``: una ``db.Cruda`` o una sesión): el comando no importa el ORM, que
    tarda más en cargarse que las consultas."""
    from amauta_cli.db import cruda

    c = cruda(s)
    r = r or reglas()
    g = grupo_por_nombre(c, grupo, institucion)
    if materia is not None:
        materia = _canonico_sql(c, g.id, "materia", _texto_obligatorio(materia, "--materia"))
    a = _agregados(c, g.id, r, materia=materia, incluir_archivo=incluir_archivo)
    if materia is not None and not a.materias:
        disponibles = ", ".join(
            sorted(
                (m for (m,) in c.filas('SELECT DISTINCT materia FROM "Calificacion" WHERE "grupoId" = :g', g=g.id)),
                key=orden_natural,
            )
        )
        raise NoEncontrado(
            f"El grupo '{g.nombre}' no tiene notas de '{materia}'. "
            + (f"Materias con notas: {disponibles}." if disponibles else "No tiene ninguna nota.")
        )
    alumnos = _alumnos_y_exalumnos(c, g.id, a.estudiantes)
    materias = []
    for mat in a.materias:
        periodos = a.periodos[mat]
        filas = []
        finales = []
        for al in alumnos:
            # Quien ya no está en el grupo, o está inactivo, figura solo si tiene notas de la
            # materia (el reporte habla del pasado y lo marca: ``activo``/``en_grupo``).
            if (al.get("en_grupo") is False or not al["activo"]) and (al["id"], mat) not in a.finales:
                continue
            notas = {p: r.redondear(a.por_periodo.get((al["id"], mat, p))) for p in periodos}
            final = a.finales.get((al["id"], mat))
            if final is not None:
                finales.append(final)
            final_r = r.redondear(final)
            filas.append(
                FilaReporte(
                    al["email"], al["apellido"], al["nombre"], notas, final_r, r.condicion(final_r),
                    bool(al["activo"]),
                )
            )
        materias.append(
            MateriaReporte(
                mat,
                periodos,
                filas,
                {p: r.redondear(a.grupo.get((mat, p))) for p in periodos},
                r.redondear(math.fsum(finales) / len(finales)) if finales else None,
                sum(1 for f in filas if f.condicion == APROBADO),
                sum(1 for f in filas if f.condicion == DESAPROBADO),
            )
        )
    archivadas = 0 if incluir_archivo else c.valor(
        f'SELECT count(*) FROM {c.d.nombre_archivo("Calificacion")} WHERE "grupoId" = :g', g=g.id
    )
    return Reporte(g.nombre, g.institucion, r.como_dict(), materias, int(archivadas or 0))


# --- boletín ---------------------------------------------------------------------------------
@dataclass
class MateriaBoletin:
    materia: str
    notas: dict[str, float | None]
    promedio: float | None
    condicion: str
    #: Observaciones de cada nota, por período (solo los que tienen).
    observaciones: dict[str, str] = field(default_factory=dict)


@dataclass
class Boletin:
    email: str
    apellido: str
    nombre: str
    matricula: str | None
    grupo: str
    grado: str | None
    seccion: str | None
    institucion: str
    periodos: list[str]
    materias: list[MateriaBoletin]
    promedio_general: float | None
    aprobadas: int
    desaprobadas: int
    sin_nota: int
    reglas: dict[str, Any]
    #: Ciclo lectivo del boletín y la asistencia de cada período (días de clase registrados,
    #: inasistencias computadas con la regla de asistencia, porcentaje) y del año.
    anio: int | None = None
    asistencia: list[Any] = field(default_factory=list)
    asistencia_anual: Any = None
    regla_asistencia: dict[str, Any] = field(default_factory=dict)
    #: Notas archivadas (del estudiante, o del grupo) que el boletín no cuenta.
    archivadas: int = 0
    #: Registros de asistencia archivados del ciclo (de los estudiantes del boletín) que la
    #: asistencia por períodos no cuenta (sin --incluir-archivo).
    asistencia_archivada: int = 0


def boletines(
    s: Session,
    estudiante: str | None = None,
    grupo: str | None = None,
    institucion: str | None = None,
    r: Reglas | None = None,
    anio: int | None = None,
    incluir_archivo: bool = False,
) -> list[Boletin]:
    """El boletín de un estudiante (``estudiante``) o el de cada estudiante de ``grupo``.

    Sin ``grupo``, el del único grupo del estudiante (o el único activo); si tiene
    varios, pide ``--grupo``. Los períodos, en el orden del calendario de la institución
    (ajustes); ``anio``: el ciclo lectivo de la asistencia (por defecto, el actual).
    """
    from amauta_cli.models import Calificacion as C, GrupoEstudiante, Perfil
    from sqlalchemy import func, select

    r = r or reglas()
    if estudiante is None and grupo is None:
        raise DatosInvalidos("Indique --estudiante EMAIL, --grupo GRUPO o ambos.")
    u = buscar_usuario(s, estudiante) if estudiante is not None else None
    if grupo is not None:
        g = buscar_grupo(s, grupo, institucion=institucion)
        if u is not None and s.get(GrupoEstudiante, (g.id, u.id)) is None:
            tiene = s.scalar(
                select(func.count()).select_from(C).where(C.grupoId == g.id, C.estudianteId == u.id)
            )
            if not tiene:
                raise OperacionRechazada(
                    f"{u.email} no pertenece al grupo '{g.nombre}' ni tiene notas en él."
                )
    else:
        assert u is not None
        g = _grupo_del_estudiante(s, u)
    from amauta_cli.services import archivo

    a = _agregados(
        s, g.id, r, estudiante_id=u.id if u is not None else None, incluir_archivo=incluir_archivo,
    )
    archivadas = 0 if incluir_archivo else archivo.calificaciones_archivadas(
        s, g.id, u.id if u is not None else None
    )
    if u is not None:
        perfil = s.scalar(select(Perfil.matricula).where(Perfil.usuarioId == u.id))
        alumnos = [
            {"id": u.id, "email": u.email, "nombre": u.nombre, "apellido": u.apellido, "matricula": perfil}
        ]
    else:
        # Los boletines de un grupo son de sus estudiantes activos (uno dado de baja se pide
        # por su email con --estudiante).
        alumnos = [al for al in _alumnos_y_exalumnos(s, g.id, a.estudiantes) if al["activo"]]
    from amauta_cli.services import calendario as _cal

    cal = _cal.de_institucion(s, g.institucionId)
    anio = anio or cal.anio_lectivo()
    periodos = _periodos_del_boletin(cal, anio, {p for ps in a.periodos.values() for p in ps})
    resultado = []
    for al in alumnos:
        materias = []
        for mat in a.materias:
            notas = {p: r.redondear(a.por_periodo.get((al["id"], mat, p))) for p in periodos}
            final = r.redondear(a.finales.get((al["id"], mat)))
            materias.append(MateriaBoletin(mat, notas, final, r.condicion(final)))
        finales = [m.promedio for m in materias if m.promedio is not None]
        resultado.append(
            Boletin(
                al["email"],
                al["apellido"],
                al["nombre"],
                al["matricula"],
                g.nombre,
                g.grado,
                g.seccion,
                g.institucion.nombre,
                periodos,
                materias,
                r.redondear(math.fsum(finales) / len(finales)) if finales else None,
                sum(1 for m in materias if m.condicion == APROBADO),
                sum(1 for m in materias if m.condicion == DESAPROBADO),
                sum(1 for m in materias if m.condicion == SIN_NOTA),
                r.como_dict(),
                archivadas=archivadas,
            )
        )
    _completar_boletines(s, g, resultado, [al["id"] for al in alumnos], cal, anio, incluir_archivo)
    return resultado


def _periodos_del_boletin(cal: Any, anio: int, con_notas: set[str]) -> list[str]:
    """Los períodos del calendario, en su orden, y después los que tienen notas con otro nombre
    (períodos libres, o escritos antes de normalizar), en orden natural."""
    configurados = cal.nombres_periodos(anio)
    otros = sorted(con_notas - set(configurados), key=orden_natural)
    return configurados + otros


def _completar_boletines(
    s: Session, g: Any, lista: list[Boletin], ids: list[str], cal: Any, anio: int,
    incluir_archivo: bool = False,
) -> None:
    """La asistencia por período y del año, y las observaciones de cada nota (dos consultas;
    con ``incluir_archivo``, también de lo archivado; sin él, una más que cuenta lo archivado)."""
    from sqlalchemy import select

    from amauta_cli.models import Calificacion
    from amauta_cli.services import archivo
    from amauta_cli.services.asistencia import regla_vigente
    from amauta_cli.services.planilla_asistencia import archivadas_por_periodos, por_periodos

    if not lista:
        return
    regla = regla_vigente()
    periodos = cal.periodos(anio)
    asistencia, anual = por_periodos(
        s, g.id, g.institucionId, ids, periodos, cal.ciclo(anio), regla, incluir_archivo=incluir_archivo
    )
    sin_contar = 0 if incluir_archivo else archivadas_por_periodos(s, g.id, ids, periodos, cal.ciclo(anio))
    C = archivo.fuente(s, Calificacion, incluir_archivo)
    observaciones: dict[tuple[str, str], dict[str, str]] = {}
    for eid, materia, periodo, obs in s.execute(
        select(C.estudianteId, C.materia, C.periodo, C.observaciones).where(
            C.grupoId == g.id, C.estudianteId.in_(ids), C.observaciones.is_not(None), C.observaciones != ""
        )
    ):
        observaciones.setdefault((eid, materia), {})[periodo] = obs
    for eid, b in zip(ids, lista):
        b.anio = anio
        b.asistencia = asistencia.get(eid, [])
        b.asistencia_anual = anual.get(eid)
        b.regla_asistencia = regla.como_dict()
        b.asistencia_archivada = sin_contar
        for m in b.materias:
            propias = observaciones.get((eid, m.materia), {})
            m.observaciones = {p: propias[p] for p in b.periodos if p in propias}


def _grupo_del_estudiante(s: Session, u: Usuario) -> Grupo:
    from amauta_cli.models import Calificacion as C, Grupo, GrupoEstudiante
    from sqlalchemy import select

    ids = set(s.scalars(select(GrupoEstudiante.grupoId).where(GrupoEstudiante.estudianteId == u.id)))
    con_notas = set(s.scalars(select(C.grupoId).where(C.estudianteId == u.id).distinct()))
    candidatos = list(s.scalars(select(Grupo).where(Grupo.id.in_(ids | con_notas))))
    if not candidatos:
        raise NoEncontrado(f"{u.email} no pertenece a ningún grupo ni tiene calificaciones.")
    if len(candidatos) > 1:
        activos = [g for g in candidatos if g.activo and g.id in ids]
        if len(activos) == 1:
            return activos[0]
        nombres = ", ".join(
            sorted(f"'{g.nombre}' ({g.institucion.nombre})" for g in candidatos)
        )
        raise DatosInvalidos(
            f"{u.email} está en varios grupos ({nombres}): indique cuál con --grupo."
        )
    return candidatos[0]


# --- desaprobados ----------------------------------------------------------------------------
@dataclass(slots=True)  # decenas de miles por corrida: sin __dict__, se crean y leen más rápido
class FilaDesaprobado:
    materia: str
    nota: float
    apellido: str
    nombre: str
    email: str
    grupo: str
    institucion: str
    periodos: int  # con --periodo, 1; si no, cuántos períodos promedia la nota final


@dataclass
class Desaprobados:
    alcance: str
    periodo: str | None
    reglas: dict[str, Any]
    filas: list[FilaDesaprobado]

    @property
    def estudiantes(self) -> int:
        return len({(f.email, f.grupo) for f in self.filas})


def _puestos(textos_: set[str], clave: Callable[[str], Any]) -> dict[str, int]:
    """El puesto de cada texto en el orden de ``clave`` (los de igual clave comparten puesto)."""
    puestos: dict[str, int] = {}
    anterior, n = None, -1
    for k, t in sorted((clave(t), t) for t in textos_):
        if k != anterior:
            anterior, n = k, n + 1
        puestos[t] = n
    return puestos


def desaprobados(
    con: Any,
    grupo: str | None = None,
    institucion: str | None = None,
    periodo: str | None = None,
    r: Reglas | None = None,
) -> Desaprobados:
    """Estudiantes por debajo de la nota de aprobación, por materia, los más bajos primero.

    Alcance: un grupo (``grupo``, activo o no), los grupos activos de una institución
    (``institucion``) o todos los grupos activos. Sin ``periodo`` se compara la nota
    final de cada materia; con ``periodo``, la de ese período. Una sola consulta: la
    agregación y el filtro ``HAVING`` corren en la base; en Python solo se redondea.
    SQL a secas (``con``: una ``db.Cruda`` o una sesión): el comando no importa el ORM.
    """
    from amauta_cli.db import cruda

    c = cruda(con)
    d = c.d
    r = r or reglas()
    params: dict[str, Any] = {"umbral": r.umbral_sql}
    n10 = _N10_SQL
    filtros: list[str] = []  # antes de agregar (menos filas que agregar)
    unir = ""
    # Solo estudiantes activos: un dado de baja no es alguien a quien seguir (el JOIN con
    # "Usuario" ya está en la consulta; el filtro no agrega trabajo).
    despues = ["u.activo IS true"]
    inst_id = None
    if grupo is None and institucion is None:
        from amauta_cli.services.accesos import institucion_de_la_escuela

        institucion = institucion_de_la_escuela(c)  # credenciales de escuela: la suya
    if grupo is not None:
        g = grupo_por_nombre(c, grupo, institucion)
        filtros.append('k."grupoId" = :grupo')
        params["grupo"] = g.id
        inst_id = g.institucion_id
        alcance = f"grupo '{g.nombre}' ({g.institucion})"
    elif institucion is not None:
        inst_id, inst_nombre = institucion_por_nombre(c, institucion)
        unir = 'JOIN "Grupo" gf ON gf.id = k."grupoId" '
        filtros += ['gf."institucionId" = :inst', "gf.activo IS true"]
        params["inst"] = inst_id
        alcance = f"grupos activos de '{inst_nombre}'"
    else:
        # Todo el distrito: casi todos los grupos están activos; se agrega sin unir con
        # "Grupo" (el JOIN de 600.000 filas cuesta más que descartar después lo inactivo).
        despues.append("g.activo IS true")
        alcance = "todos los grupos activos"
    claves = 'k."grupoId", k."estudianteId", k.materia'
    if periodo is not None:
        periodo = _periodos.para_filtrar(c, periodo, inst_id)
        filtros.append(f"{d.sin_acentos_sql_texto('k.periodo')} = :periodo")
        params["periodo"] = sin_acentos(periodo)
        valor = f"avg({n10})"  # una sola nota por grupo, estudiante, materia y período
        claves += ", k.periodo"
    else:
        valor = _final_sql(d, r, params)
    donde = f"WHERE {' AND '.join(filtros)} " if filtros else ""
    consulta = (
        "SELECT x.materia, x.valor, x.periodos, u.apellido, u.nombre, u.email, g.nombre AS grupo, "
        "i.nombre AS institucion FROM ("
        'SELECT k."grupoId" AS grupo_id, k."estudianteId" AS estudiante_id, k.materia AS materia, '
        f"CAST({valor} AS FLOAT) AS valor, count({n10}) AS periodos "
        f'FROM "Calificacion" k {unir}{donde}GROUP BY {claves} HAVING {valor} < :umbral) x '
        'JOIN "Usuario" u ON u.id = x.estudiante_id JOIN "Grupo" g ON g.id = x.grupo_id '
        'JOIN "Institucion" i ON i.id = g."institucionId" '
        f"WHERE {' AND '.join(despues)}"
    )
    # La agregación reduce poco (un grupo por cada 3 o 4 notas): en paralelo, el
    # Gather Merge de las agregaciones parciales cuesta más que lo que ahorran los
    # procesos. Sin paralelismo, PostgreSQL recorre el índice único en el orden del
    # GROUP BY y agrega sin ordenar (medido: 0,56 s contra 1,3 s con 600.000 notas).
    # (Más work_mem no ayuda: con 64 MB el planificador elige un HashAggregate de 300.000
    # grupos, más lento que recorrer el índice: 1,3-2,1 s contra 1,0-1,2 s con 900.000 notas.)
    d.sin_paralelismo_sql(c)
    filas = []
    redondear, aprobacion = r.redondear, r.nota_aprobacion
    # Por tramos, a medida que la agregación (que recorre el índice en orden) entrega grupos:
    # Python redondea y arma las filas mientras el servidor sigue agregando.
    for materia, bruta, periodos, apellido, nombre, email, grupo_, inst in c.flujo(consulta, **params):
        nota = redondear(bruta)
        if nota is None or nota >= aprobacion:
            continue
        filas.append(FilaDesaprobado(materia, nota, apellido, nombre, email, grupo_, inst, periodos))
    # Por materia (orden natural), los más bajos primero; a igual nota, por institución,
    # grupo, apellido y nombre en orden alfabético español. Claves baratas: pueden ser decenas de miles
    # de filas, con pocas materias, instituciones y grupos distintos.
    # Cada texto distinto se convierte en clave una sola vez (los apellidos y nombres también
    # se repiten mucho: a 68.000 filas, la mitad del tiempo del orden).
    # Y cada clave, un entero (su puesto entre las distintas; textos de igual clave, igual
    # puesto): comparar enteros es mucho más barato que comparar las claves una y otra vez.
    materias = _puestos({f.materia for f in filas}, orden_natural)
    puestos = _puestos(
        {f.institucion for f in filas} | {f.grupo for f in filas}
        | {f.apellido for f in filas} | {f.nombre for f in filas},
        textos.clave_orden,
    )
    filas.sort(key=lambda f: (
        materias[f.materia], f.nota, puestos[f.institucion], puestos[f.grupo],
        puestos[f.apellido], puestos[f.nombre], f.email,
    ))
    return Desaprobados(alcance, periodo, r.como_dict(), filas)


__all__: Sequence[str] = [
    "AJUSTES_POR_DEFECTO",
    "Boletin",
    "Desaprobados",
    "Planilla",
    "Registro",
    "Reglas",
    "Reporte",
    "ResultadoCarga",
    "boletines",
    "cargar",
    "desaprobados",
    "formatear_nota",
    "orden_natural",
    "reglas",
    "registrar",
    "reporte",
    "ver",
]
