"""``amauta seed``: los datos de desarrollo del diseño, idempotentes, con ``--reset``.

El archivo (``data/seed.yaml`` u otro con la misma estructura) se lee y valida entero
antes de tocar la base (``cargar``). Después ``sembrar``:

1. rechaza una base marcada como producción o ``AMAUTA_ENV=produccion``;
2. sin ``reset``: lleva el esquema a head (``esquema.migrar``) y siembra en UNA transacción;
   con ``reset``: en UNA transacción borra todas las tablas (y en PostgreSQL los tipos
   enum), migra desde cero y siembra: si algo falla, la base queda como estaba;
3. hace upsert por claves naturales en el orden de dependencias del diseño, así una
   segunda corrida no crea filas ni cambia ids: por entidad, una consulta lee lo que ya
   existe, se compara en Python, y se escriben un INSERT de varias filas y un UPDATE por
   clave primaria (executemany) con lo nuevo y lo cambiado. No se usa ``ON CONFLICT``
   porque varias claves naturales del diseño no tienen índice único (``Leccion(cursoId,
   orden)``, ``Institucion.nombre``, ``Grupo``, ``Calificacion``, ``Comunicado``) y porque
   hay que informar filas creadas / actualizadas / sin cambios. Dos seeds simultáneos se
   serializan (bloqueo consultivo en PostgreSQL, ``BEGIN IMMEDIATE`` en SQLite).

Asistencia (los «últimos 5 días hábiles»): la ventana son los últimos N días de clase hasta
hoy (fecha local), según el calendario escolar de la institución del grupo (sin fines de
semana, feriados, receso ni días fuera del ciclo lectivo). El seed recuerda en ``_amauta_meta`` (clave
``seed_asistencia``) qué celdas (grupo, estudiante, fecha) escribió; en una corrida de
otro día borra las suyas que quedaron fuera de la ventana nueva y escribe la ventana
nueva. Nunca se acumulan filas y nunca se borra asistencia cargada a mano en otras fechas.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Callable, Iterable

from amauta_cli.services.seed_archivo import DatosSeed, cargar, ruta_por_defecto

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

    from amauta_cli.objetivo import Objetivo

__all__ = [
    "Conteo",
    "DatosSeed",
    "ResultadoSeed",
    "cargar",
    "dias_de_clase",
    "dias_habiles",
    "ruta_por_defecto",
    "sembrar",
    "sembrar_en_sesion",
]

#: Bloqueo consultivo de PostgreSQL que serializa dos ``amauta seed`` simultáneos.
CLAVE_BLOQUEO_SEED = 0x616D61757461_5EED
#: Clave de ``_amauta_meta`` con las celdas de asistencia que escribió el último seed.
CLAVE_META_ASISTENCIA = "seed_asistencia"


# --- Días hábiles ------------------------------------------------------------------------------
def dias_habiles(hoy: date, n: int) -> list[date]:
    """Los últimos ``n`` días de lunes a viernes hasta ``hoy`` inclusive, del más antiguo al más nuevo."""
    dias: list[date] = []
    d = hoy
    while len(dias) < n:
        if d.weekday() < 5:
            dias.append(d)
        d -= timedelta(days=1)
    return list(reversed(dias))


def dias_de_clase(hoy: date, n: int, cal: Any) -> list[date]:
    """Los últimos ``n`` días de clase del calendario ``cal`` hasta ``hoy`` inclusive (sin
    feriados, receso ni días fuera del ciclo lectivo), del más antiguo al más nuevo.

    Si el calendario no tiene ``n`` días de clase en los dos años anteriores (un calendario mal
    configurado), los que falten son días de lunes a viernes.
    """
    dias: list[date] = []
    d = hoy
    limite = hoy - timedelta(days=730)
    while len(dias) < n and d >= limite:
        if cal.es_de_clase(d):
            dias.append(d)
        d -= timedelta(days=1)
    if len(dias) < n:
        return dias_habiles(hoy, n)
    return list(reversed(dias))


def _calendario_de_la_asistencia(s: "Session", datos: DatosSeed, id_grupo: dict) -> Any:
    """El calendario de la institución del (primer) grupo con asistencia en el archivo."""
    from amauta_cli import models as m
    from amauta_cli.services import calendario

    grupo = s.get(m.Grupo, id_grupo[datos.asistencias[0]["grupo"]]) if datos.asistencias else None
    if grupo is None:
        return calendario.calendario()
    return calendario.de_institucion(s, grupo.institucionId)


# --- Resultado ----------------------------------------------------------------------------------
@dataclass
class Conteo:
    tabla: str
    entidad: str
    creadas: int = 0
    actualizadas: int = 0
    sin_cambios: int = 0
    eliminadas: int = 0


@dataclass
class ResultadoSeed:
    archivo: str
    reset: bool
    migraciones: list[str]
    conteos: list[Conteo]
    fechas_asistencia: list[date]

    @property
    def totales(self) -> dict[str, int]:
        return {
            k: sum(getattr(c, k) for c in self.conteos)
            for k in ("creadas", "actualizadas", "sin_cambios", "eliminadas")
        }


# --- Contraseñas ----------------------------------------------------------------------------------
class _Contrasenas:
    """El trabajo de bcrypt, lanzado lo antes posible y consumido dentro de la transacción.

    bcrypt libera el GIL: sus hilos corren en paralelo con la confirmación, la importación
    de Alembic, las migraciones y el DDL. Con ``--reset`` se cifran todas; en una corrida
    normal se verifican las guardadas (leídas antes de migrar). Cada resultado queda atado
    a su (email, hash guardado): si la base cambió entretanto, ``resolver`` vuelve a
    verificar en lugar de confiar en lo anticipado.
    """

    def __init__(self, usuarios: list[dict], guardados: dict[str, str], cifrar: bool):
        self._password = {u["email"]: u["password"] for u in usuarios}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-bcrypt")
        self._hashes = None
        self._verificados = None
        if cifrar:
            emails = list(self._password)
            self._hashes = self._pool.submit(
                lambda: dict(zip(emails, _hashear([self._password[e] for e in emails])))
            )
        elif guardados:
            claves = [(e, h) for e, h in guardados.items() if e in self._password]
            pares = [(self._password[e], h) for e, h in claves]
            self._verificados = self._pool.submit(
                lambda: dict(zip(claves, _verificar_muchos(pares)))
            )

    def __enter__(self) -> "_Contrasenas":
        return self

    def __exit__(self, *_exc: Any) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def resolver(self, guardados: dict[str, str]) -> dict[str, str]:
        """email → hash a guardar: el guardado si todavía verifica; si no, uno nuevo."""
        anticipados = self._verificados.result() if self._verificados else {}
        pendientes = [
            (e, g)
            for e, g in guardados.items()
            if e in self._password and (e, g) not in anticipados
        ]
        verifican = dict(anticipados)
        verifican.update(
            zip(pendientes, _verificar_muchos([(self._password[e], g) for e, g in pendientes]))
        )
        resultado = {e: g for e, g in guardados.items() if verifican.get((e, g))}
        faltan = [e for e in self._password if e not in resultado]
        hechos = self._hashes.result() if self._hashes else {}
        sin_hash = [e for e in faltan if e not in hechos]
        hechos = dict(
            hechos, **dict(zip(sin_hash, _hashear([self._password[e] for e in sin_hash])))
        )
        resultado.update({e: hechos[e] for e in faltan})
        return resultado


# --- Sembrar ------------------------------------------------------------------------------------
def sembrar(
    objetivo: "Objetivo | str",
    datos: DatosSeed | None = None,
    reset: bool = False,
    hoy: date | None = None,
    avisar: Callable[[str], None] = lambda _m: None,
    confirmar: Callable[[], None] | None = None,
) -> ResultadoSeed:
    """Siembra ``datos`` (por defecto ``data/seed.yaml``) en la base ``objetivo``.

    Primero la guardia de producción (``AMAUTA_ENV`` y la marca de la base), antes de
    preguntar (``confirmar``, que cancela lanzando un error), migrar o borrar nada.
    Sin ``reset``: migra a head (su propia transacción) y siembra en una transacción.
    Con ``reset``: borra todo, migra y siembra en UNA transacción.
    """
    from amauta_cli.db import como_objetivo, conexion, transaccion
    from amauta_cli.services import entorno, esquema

    objetivo = como_objetivo(objetivo)
    datos = datos if datos is not None else cargar()
    hoy = hoy or date.today()
    accion = "amauta seed --reset" if reset else "amauta seed"
    entorno.exigir_no_produccion(None, accion)
    with conexion(objetivo, solo_lectura=True, crear=True) as con:
        entorno.exigir_no_produccion(con, accion)
        guardados = {} if reset else _hashes_guardados(con, [u["email"] for u in datos.usuarios])
    with _Contrasenas(datos.usuarios, guardados, cifrar=reset) as contrasenas:
        if confirmar is not None:
            confirmar()
        if reset:
            from sqlalchemy.orm import Session

            with conexion(objetivo) as con:
                _preparar_transaccion(con)
                entorno.exigir_no_produccion(con, accion)
                marca = entorno.leer(con)  # desarrollo/pruebas: la base lo sigue siendo
                avisar("Borrando todas las tablas y tipos de la base...")
                conservadas = _borrar_todo(con)
                if conservadas:
                    avisar(
                        f"Se conserva {', '.join(conservadas)}: es la contabilidad de la "
                        "aplicación Prisma, que sigue valiendo para el esquema que se recrea."
                    )
                avisar("Creando el esquema desde cero (migraciones hasta head)...")
                aplicadas = _migrar_en(con)
                if marca:
                    entorno.marcar(con, marca)
                with Session(bind=con, expire_on_commit=False) as s:
                    conteos, fechas = sembrar_en_sesion(s, datos, hoy, contrasenas)
                    s.flush()
            return ResultadoSeed(datos.archivo, True, aplicadas, conteos, fechas)

        avisar("Llevando el esquema a la última revisión (head)...")
        r = esquema.migrar(objetivo, avisar=avisar)
        aplicadas = [p.revision for p in r.aplicadas]
        if aplicadas:
            avisar(f"Migraciones aplicadas: {', '.join(aplicadas)}.")
        else:
            avisar(f"El esquema ya estaba al día (revisión {r.hasta}).")
        with transaccion(objetivo) as s:
            conteos, fechas = sembrar_en_sesion(s, datos, hoy, contrasenas)
        return ResultadoSeed(datos.archivo, False, aplicadas, conteos, fechas)


def _hashes_guardados(con: "Connection", emails: list[str]) -> dict[str, str]:
    """Los hashes que ya están en la base (antes de migrar: si no hay tabla, ninguno)."""
    from sqlalchemy import inspect, select

    from amauta_cli.models import Usuario

    if not inspect(con).has_table("Usuario"):
        return {}
    filas = con.execute(select(Usuario.email, Usuario.password).where(Usuario.email.in_(emails)))
    return {email: password for email, password in filas}


def _preparar_transaccion(con: "Connection") -> None:
    """PostgreSQL: serializa dos seeds simultáneos y no espera el fsync del commit.

    ``synchronous_commit = off`` vale solo para esta transacción: si el servidor se cae
    en la fracción de segundo que sigue al commit, el seed se pierde entero (la base
    queda como estaba, nunca a medias). Para datos de desarrollo, se prefiere la velocidad.
    """
    from amauta_cli.dialecto import dialecto

    d = dialecto(con)
    d.bloqueo(con, CLAVE_BLOQUEO_SEED)
    d.commit_sin_esperar_disco(con)


def _borrar_todo(con: "Connection") -> list[str]:
    """Borra todas las tablas del esquema (y en PostgreSQL, los tipos enum) en la transacción,
    salvo las de Prisma Migrate (``esquema.TABLAS_DE_PRISMA``), que devuelve si existían."""
    from amauta_cli.dialecto import dialecto
    from amauta_cli.services.esquema import TABLAS_DE_PRISMA

    d = dialecto(con)
    # El archivo (db archivar) también: sus columnas usan los tipos enum que borra borrar_todo.
    d.borrar_archivo(con)
    return d.borrar_todo(con, conservar=TABLAS_DE_PRISMA)


def _migrar_en(con: "Connection") -> list[str]:
    """Aplica todas las migraciones sobre ``con`` (dentro de su transacción)."""
    from alembic import command

    from amauta_cli.services import esquema

    cfg = esquema.config_alembic()
    cfg.attributes["connection"] = con
    command.upgrade(cfg, "head")
    return [s.revision for s in esquema.revisiones()]


def _hashear(passwords: list[str]) -> list[str]:
    from amauta_cli.seguridad import hashear_muchos

    return hashear_muchos(passwords)


def _verificar_muchos(pares: list[tuple[str, str]]) -> list[bool]:
    """bcrypt.checkpw en paralelo en todos los núcleos (bcrypt libera el GIL)."""
    from amauta_cli.seguridad import verificar

    if not pares:
        return []
    with ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, len(pares))) as pool:
        return list(pool.map(lambda p: verificar(*p), pares))


# --- Sincronización por entidad -------------------------------------------------------------------
def _igual(a: Any, b: Any) -> bool:
    """Compara un valor leído de la base con el del archivo (enums por valor, 85 == 85.0)."""
    if isinstance(a, StrEnum):
        a = a.value
    if isinstance(b, StrEnum):
        b = b.value
    return a == b


def _fechas_obligatorias(tabla: Any) -> set[str]:
    from sqlalchemy import DateTime

    return {
        c.name
        for c in tabla.c
        if not c.nullable
        and not c.primary_key
        and isinstance(c.type, DateTime)
        and c.name != "fecha"
    }


def _sincronizar(
    s: "Session",
    modelo: Any,
    clave: tuple[str, ...],
    deseadas: list[dict[str, Any]],
    existentes: Iterable[Any],
    conteo: Conteo,
) -> dict[tuple, Any]:
    """Inserta las filas nuevas y actualiza las que cambiaron; devuelve {clave: id}.

    ``deseadas``: dicts con las columnas de la clave natural y las que el seed controla
    (una columna ausente no se toca en una fila existente). ``existentes``: las filas de
    la base que pueden coincidir (una sola consulta por entidad, hecha por quien llama).
    """
    from sqlalchemy import insert, update

    from amauta_cli.ids import ahora, cuid

    tabla = modelo.__table__
    tiene_id = "id" in tabla.c
    tiene_updated = "updatedAt" in tabla.c
    pk = [c.name for c in tabla.primary_key.columns]
    por_clave: dict[tuple, dict] = {}
    for fila in existentes:
        m = dict(fila._mapping)
        k = tuple(m[c] for c in clave)
        # Sin índice único puede haber duplicados hechos a mano: se usa el de menor id.
        if k not in por_clave or (tiene_id and m["id"] < por_clave[k]["id"]):
            por_clave[k] = m
    ids: dict[tuple, Any] = {}
    nuevas: list[dict] = []
    cambios: list[dict] = []
    momento = ahora()
    for d in deseadas:
        k = tuple(d[c] for c in clave)
        actual = por_clave.get(k)
        if actual is None:
            fila = dict(d)
            if tiene_id:
                fila["id"] = cuid()
            if tiene_updated:
                fila["updatedAt"] = momento
            nuevas.append(fila)
            ids[k] = fila.get("id")
            continue
        ids[k] = actual.get("id")
        distintas = {c: v for c, v in d.items() if c not in clave and not _igual(actual[c], v)}
        if not distintas:
            conteo.sin_cambios += 1
            continue
        distintas.update({c: actual[c] for c in pk})
        if tiene_updated:
            distintas["updatedAt"] = momento
        cambios.append(distintas)
    if nuevas:
        # Todas con las mismas columnas, para un solo INSERT de varias filas: una fecha
        # que el archivo no da es el momento de la inserción (como @default(now())) o null.
        columnas = {c for f in nuevas for c in f} | _fechas_obligatorias(tabla)
        for f in nuevas:
            for c in columnas - f.keys():
                f[c] = None if tabla.c[c].nullable else momento
        s.execute(insert(modelo), nuevas)
        conteo.creadas += len(nuevas)
    if cambios:
        # UPDATE por clave primaria en lotes de filas con las mismas columnas (executemany).
        grupos: dict[frozenset, list[dict]] = {}
        for c in cambios:
            grupos.setdefault(frozenset(c), []).append(c)
        for lote in grupos.values():
            s.execute(update(modelo), lote)
        conteo.actualizadas += len(cambios)
    return ids


def sembrar_en_sesion(
    s: "Session", datos: DatosSeed, hoy: date, contrasenas: _Contrasenas | None = None
) -> tuple[list[Conteo], list[date]]:
    """Los upserts, en el orden de dependencias del diseño, dentro de la transacción de ``s``.

    ``contrasenas``: el trabajo de bcrypt lanzado antes (ver ``sembrar``); sin él, se
    verifica y se cifra aquí solo lo necesario.
    """
    from sqlalchemy import select

    from amauta_cli import models as m
    from amauta_cli.services import entorno

    con = s.connection()
    _preparar_transaccion(con)
    entorno.exigir_no_produccion(con, "amauta seed")
    conteos: list[Conteo] = []

    def nuevo(tabla: str, entidad: str) -> Conteo:
        c = Conteo(tabla, entidad)
        conteos.append(c)
        return c

    # 1. Usuarios: la contraseña que todavía verifica no se vuelve a cifrar.
    emails = [u["email"] for u in datos.usuarios]
    existentes_u = s.execute(select(m.Usuario.__table__).where(m.Usuario.email.in_(emails))).all()
    if contrasenas is None:
        contrasenas = _Contrasenas(datos.usuarios, {}, cifrar=False)
    hashes = contrasenas.resolver({f.email: f.password for f in existentes_u})
    filas_u = [
        {k: v for k, v in u.items() if k != "perfil"} | {"password": hashes[u["email"]]}
        for u in datos.usuarios
    ]
    id_usuario = {
        k[0]: v
        for k, v in _sincronizar(
            s, m.Usuario, ("email",), filas_u, existentes_u, nuevo("Usuario", "Usuarios")
        ).items()
    }

    # 2. Perfiles
    filas_p = [dict(u["perfil"], usuarioId=id_usuario[u["email"]]) for u in datos.usuarios]
    existentes_p = s.execute(
        select(m.Perfil.__table__).where(m.Perfil.usuarioId.in_(list(id_usuario.values())))
    ).all()
    _sincronizar(s, m.Perfil, ("usuarioId",), filas_p, existentes_p, nuevo("Perfil", "Perfiles"))

    # 3. Categorías
    existentes_c = s.execute(
        select(m.Categoria.__table__).where(
            m.Categoria.slug.in_([c["slug"] for c in datos.categorias])
        )
    ).all()
    id_categoria = {
        k[0]: v
        for k, v in _sincronizar(
            s,
            m.Categoria,
            ("slug",),
            datos.categorias,
            existentes_c,
            nuevo("Categoria", "Categorías"),
        ).items()
    }

    # 4. Instituciones
    existentes_i = s.execute(
        select(m.Institucion.__table__).where(
            m.Institucion.nombre.in_([i["nombre"] for i in datos.instituciones])
        )
    ).all()
    id_institucion = {
        k[0]: v
        for k, v in _sincronizar(
            s,
            m.Institucion,
            ("nombre",),
            datos.instituciones,
            existentes_i,
            nuevo("Institucion", "Instituciones"),
        ).items()
    }

    # 5. Cursos
    filas_cu = [
        {k: v for k, v in c.items() if k not in ("educador", "categoria")}
        | {"educadorId": id_usuario[c["educador"]], "categoriaId": id_categoria[c["categoria"]]}
        for c in datos.cursos
    ]
    existentes_cu = s.execute(
        select(m.Curso.__table__).where(m.Curso.slug.in_([c["slug"] for c in datos.cursos]))
    ).all()
    id_curso = {
        k[0]: v
        for k, v in _sincronizar(
            s, m.Curso, ("slug",), filas_cu, existentes_cu, nuevo("Curso", "Cursos")
        ).items()
    }

    # 6. Lecciones, por (curso, orden)
    filas_l = [
        {k: v for k, v in lec.items() if k != "curso"} | {"cursoId": id_curso[lec["curso"]]}
        for lec in datos.lecciones
    ]
    existentes_l = s.execute(
        select(m.Leccion.__table__).where(m.Leccion.cursoId.in_(list(id_curso.values())))
    ).all()
    id_leccion_por_curso_id = _sincronizar(
        s, m.Leccion, ("cursoId", "orden"), filas_l, existentes_l, nuevo("Leccion", "Lecciones")
    )
    id_leccion = {
        (slug, orden): id_leccion_por_curso_id[(id_curso[slug], orden)]
        for slug, orden in ((lec["curso"], lec["orden"]) for lec in datos.lecciones)
    }

    # 7. Grupos (por nombre dentro de su institución) y sus estudiantes
    filas_g = [
        {k: v for k, v in g.items() if k not in ("institucion", "educador", "estudiantes")}
        | {
            "institucionId": id_institucion[g["institucion"]],
            "educadorId": id_usuario[g["educador"]],
        }
        for g in datos.grupos
    ]
    existentes_g = s.execute(
        select(m.Grupo.__table__).where(m.Grupo.institucionId.in_(list(id_institucion.values())))
    ).all()
    ids_g = _sincronizar(
        s, m.Grupo, ("institucionId", "nombre"), filas_g, existentes_g, nuevo("Grupo", "Grupos")
    )
    id_grupo = {
        (g["institucion"], g["nombre"]): ids_g[(id_institucion[g["institucion"]], g["nombre"])]
        for g in datos.grupos
    }

    filas_ge = []
    for g in datos.grupos:
        for email in g["estudiantes"]:
            fila = {
                "grupoId": id_grupo[(g["institucion"], g["nombre"])],
                "estudianteId": id_usuario[email],
            }
            if "createdAt" in g:
                fila["inscritoEn"] = g["createdAt"]
            filas_ge.append(fila)
    existentes_ge = s.execute(
        select(m.GrupoEstudiante.__table__).where(
            m.GrupoEstudiante.grupoId.in_(list(id_grupo.values()))
        )
    ).all()
    _sincronizar(
        s,
        m.GrupoEstudiante,
        ("grupoId", "estudianteId"),
        filas_ge,
        existentes_ge,
        nuevo("GrupoEstudiante", "Estudiantes de grupos"),
    )

    # 8. Inscripciones y progresos
    filas_in = [
        {k: v for k, v in i.items() if k not in ("usuario", "curso")}
        | {"usuarioId": id_usuario[i["usuario"]], "cursoId": id_curso[i["curso"]]}
        for i in datos.inscripciones
    ]
    usuarios_ids = list(id_usuario.values())
    existentes_in = s.execute(
        select(m.Inscripcion.__table__).where(m.Inscripcion.usuarioId.in_(usuarios_ids))
    ).all()
    _sincronizar(
        s,
        m.Inscripcion,
        ("usuarioId", "cursoId"),
        filas_in,
        existentes_in,
        nuevo("Inscripcion", "Inscripciones"),
    )

    filas_pr = [
        {k: v for k, v in p.items() if k not in ("usuario", "curso", "leccion")}
        | {
            "usuarioId": id_usuario[p["usuario"]],
            "leccionId": id_leccion[(p["curso"], p["leccion"])],
        }
        for p in datos.progresos
    ]
    existentes_pr = s.execute(
        select(m.Progreso.__table__).where(m.Progreso.usuarioId.in_(usuarios_ids))
    ).all()
    _sincronizar(
        s,
        m.Progreso,
        ("usuarioId", "leccionId"),
        filas_pr,
        existentes_pr,
        nuevo("Progreso", "Progresos"),
    )

    # 9. Asistencias de los últimos días hábiles
    fechas = (
        dias_de_clase(hoy, datos.dias_asistencia, _calendario_de_la_asistencia(s, datos, id_grupo))
        if datos.dias_asistencia
        else []
    )
    conteo_a = nuevo("Asistencia", "Asistencias")
    _sincronizar_asistencias(s, datos, fechas, id_grupo, id_usuario, conteo_a)

    # 10. Calificaciones, por (grupo, estudiante, materia, periodo)
    filas_ca = [
        {k: v for k, v in c.items() if k not in ("grupo", "estudiante")}
        | {"grupoId": id_grupo[c["grupo"]], "estudianteId": id_usuario[c["estudiante"]]}
        for c in datos.calificaciones
    ]
    existentes_ca = s.execute(
        select(m.Calificacion.__table__).where(m.Calificacion.grupoId.in_(list(id_grupo.values())))
    ).all()
    _sincronizar(
        s,
        m.Calificacion,
        ("grupoId", "estudianteId", "materia", "periodo"),
        filas_ca,
        existentes_ca,
        nuevo("Calificacion", "Calificaciones"),
    )

    # 11. Comunicados, por (institución, título)
    filas_co = [
        {k: v for k, v in c.items() if k not in ("institucion", "autor")}
        | {"institucionId": id_institucion[c["institucion"]], "autorId": id_usuario[c["autor"]]}
        for c in datos.comunicados
    ]
    existentes_co = s.execute(
        select(m.Comunicado.__table__).where(
            m.Comunicado.institucionId.in_(list(id_institucion.values()))
        )
    ).all()
    _sincronizar(
        s,
        m.Comunicado,
        ("institucionId", "titulo"),
        filas_co,
        existentes_co,
        nuevo("Comunicado", "Comunicados"),
    )
    return conteos, fechas


def _sincronizar_asistencias(
    s: "Session",
    datos: DatosSeed,
    fechas: list[date],
    id_grupo: dict,
    id_usuario: dict,
    conteo: Conteo,
) -> None:
    """La ventana de días hábiles, y la limpieza de las celdas que el seed escribió otro día."""
    from sqlalchemy import delete, insert, select, tuple_, update

    from amauta_cli import models as m
    from amauta_cli.ids import ahora, medianoche

    filas = []
    for a in datos.asistencias:
        dias = a["dias"]
        for dia, d in zip(fechas[len(fechas) - len(dias) :], dias):
            filas.append(
                {
                    "grupoId": id_grupo[a["grupo"]],
                    "estudianteId": id_usuario[a["estudiante"]],
                    "fecha": medianoche(dia),
                    "estado": d["estado"],
                    "observaciones": d["observaciones"],
                }
            )
    celdas = sorted([f["grupoId"], f["estudianteId"], f["fecha"].date().isoformat()] for f in filas)
    meta = m.amauta_meta
    guardado = s.execute(
        select(meta.c.valor).where(meta.c.clave == CLAVE_META_ASISTENCIA)
    ).scalar_one_or_none()
    anteriores = []
    if guardado:
        try:
            anteriores = [
                tuple(c) for c in json.loads(guardado) if isinstance(c, list) and len(c) == 3
            ]
        except ValueError:
            anteriores = []
    vigentes = {tuple(c) for c in celdas}
    viejas = [
        (g, e, medianoche(date.fromisoformat(f)))
        for g, e, f in anteriores
        if (g, e, f) not in vigentes
    ]
    if viejas:
        r = s.execute(
            delete(m.Asistencia).where(
                tuple_(m.Asistencia.grupoId, m.Asistencia.estudianteId, m.Asistencia.fecha).in_(
                    viejas
                )
            )
        )
        conteo.eliminadas += r.rowcount or 0
    if filas:
        # Por día, sea cual sea la hora (la aplicación web escribe las 03:00 UTC): un
        # registro existente se actualiza en su fila y conserva su hora.
        from datetime import timedelta
        from types import SimpleNamespace

        dias = sorted({f["fecha"] for f in filas})
        existentes = [
            SimpleNamespace(_mapping={**r._mapping, "fecha": medianoche(r.fecha.date())})
            for r in s.execute(
                select(m.Asistencia.__table__).where(
                    m.Asistencia.grupoId.in_({f["grupoId"] for f in filas}),
                    m.Asistencia.estudianteId.in_({f["estudianteId"] for f in filas}),
                    m.Asistencia.fecha >= dias[0],
                    m.Asistencia.fecha < dias[-1] + timedelta(days=1),
                )
            )
        ]
        _sincronizar(
            s, m.Asistencia, ("grupoId", "estudianteId", "fecha"), filas, existentes, conteo
        )
    nuevo_valor = json.dumps(celdas, separators=(",", ":"))
    if guardado != nuevo_valor:
        if guardado is None:
            s.execute(
                insert(meta).values(
                    clave=CLAVE_META_ASISTENCIA, valor=nuevo_valor, updatedAt=ahora()
                )
            )
        else:
            s.execute(
                update(meta)
                .where(meta.c.clave == CLAVE_META_ASISTENCIA)
                .values(valor=nuevo_valor, updatedAt=ahora())
            )
