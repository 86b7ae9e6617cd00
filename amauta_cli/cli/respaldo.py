"""``amauta db backup|backups|verificar-backup|restore``: respaldos verificados y restauraciones seguras.

Los comandos viven en ``app`` y ``cli/db.py`` los agrega a su grupo (la dependencia va
en un solo sentido: este módulo no importa ``cli/db.py``). El flujo entero está en
``services/respaldo``; aquí solo se leen opciones y se describen resultados para
``salida``. Solo Typer y la biblioteca estándar a nivel de módulo.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from amauta_cli.cli.comun import OpcionSi, confirmar_destructivo, contexto
from amauta_cli.salida import Formato, OpcionFormato

if TYPE_CHECKING:  # pragma: no cover
    from amauta_cli.services.respaldo import PlanRestauracion, ResultadoRespaldo, Resto, Verificacion

#: Los comandos de respaldo; ``cli/db.py`` los registra en ``amauta db``.
app = typer.Typer()


class FormatoRespaldo(str, Enum):
    custom = "custom"
    sql = "sql"


OpcionSinRespaldo = Annotated[
    bool,
    typer.Option(
        "--sin-respaldo",
        help="No hace el respaldo de seguridad automático de la base antes de modificarla.",
    ),
]
OpcionSinManifiesto = Annotated[
    bool,
    typer.Option(
        "--sin-manifiesto",
        help="Acepta un respaldo de amauta cuyo manifiesto se perdió (sin verificación de SHA-256 ni de filas).",
    ),
]


def _mostrar_respaldo(r: "ResultadoRespaldo") -> None:
    from amauta_cli import salida
    from amauta_cli.salida import Campo, Ficha

    salida.emitir(
        Ficha(
            [
                Campo("archivo", "Archivo", str(r.archivo), "codigo"),
                Campo("tamano", "Tamaño", r.tamano, "tamano"),
                Campo("duracion", "Duración", r.duracion, "duracion"),
                Campo("tablas", "Tablas", r.tablas, "entero"),
                Campo("filas", "Filas", r.filas, "entero"),
            ],
            titulo="Respaldo",
        )
    )


def _mostrar_verificacion(v: "Verificacion", titulo: str) -> None:
    from amauta_cli import salida
    from amauta_cli.salida import Columna, Vista

    def marca(ok: bool, distinto: str) -> str:
        return "" if not v.con_manifiesto else ("✔" if ok else f"✘ {distinto}")

    filas = [
        {
            "tabla": c.tabla,
            "esperado": "—" if c.esperado is None else c.esperado,
            "obtenido": "—" if c.obtenido is None else c.obtenido,
            "ok": marca(c.ok, "distinto"),
        }
        for c in v.tablas
    ]
    filas.append(
        {
            "tabla": "(revisión)",
            "esperado": (v.revision_esperada or "—") if v.con_manifiesto else "—",
            "obtenido": v.revision_obtenida or "ninguna",
            "ok": marca(v.revision_ok, "distinta"),
        }
    )
    salida.emitir(
        Vista(
            [
                Columna("tabla", "Tabla", "codigo", prioridad=0),
                Columna("esperado", "Manifiesto", "entero", prioridad=0),
                Columna("obtenido", "Restaurada", "entero", prioridad=0),
                Columna("ok", "Coincide", prioridad=0),
            ],
            filas,
            titulo=titulo,
        )
    )


def _mostrar_restos(restos: "list[Resto]", problema: str | None = None) -> None:
    """Los temporales de procesos interrumpidos, como avisos (stdout queda para el listado)."""
    from amauta_cli import salida, textos

    for r in restos:
        tamano = f", {textos.tamano(r.tamano)}" if r.tamano is not None else ""
        if r.huerfano:
            estado = "su proceso ya no existe"
        elif r.estado == "otra máquina":
            estado = "de otra máquina: se deja"
        else:
            estado = "en uso" + (f" por el proceso {r.pid}" if r.pid else "")
        salida.aviso(f"Resto de un respaldo interrumpido: {r.tipo} {r.ruta}{tamano} ({estado}).")
    if any(r.huerfano for r in restos):
        salida.info("`amauta db backups --limpiar` borra los restos cuyo proceso ya no existe.")
    if problema:
        salida.aviso(f"No se pudieron revisar las bases desechables del servidor: {problema}")


@app.command("backup")
def backup(
    salida_: Annotated[
        Optional[str],
        typer.Option(
            "--salida",
            "-o",
            metavar="CARPETA/|ARCHIVO",
            help=(
                "Carpeta (si existe o termina en /) o archivo de destino "
                "(por defecto, la carpeta de respaldos)."
            ),
            show_default=False,
        ),
    ] = None,
    formato: Annotated[
        Optional[FormatoRespaldo],
        typer.Option(
            "--formato",
            help="PostgreSQL: custom (pg_restore, por defecto) o sql (psql). SQLite: siempre .db.gz.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    conservar: Annotated[
        Optional[int],
        typer.Option(
            "--conservar",
            min=1,
            help="Después, borra los respaldos más viejos de esta base en esa carpeta y deja los N más nuevos.",
            show_default=False,
        ),
    ] = None,
    verificar: Annotated[
        bool,
        typer.Option(
            "--verificar",
            help="Después, lo restaura en una base desechable y compara revisión y filas con el manifiesto.",
        ),
    ] = False,
) -> None:
    """Respalda la base (pg_dump o la API de respaldo de SQLite) con un manifiesto JSON al lado."""
    from amauta_cli import salida, textos
    from amauta_cli.services import respaldo

    from amauta_cli.cli.comun import exigir_administracion

    ctx = contexto()
    ctx.objetivo.exigir_existente()  # antes de crear la carpeta de respaldos
    # Un respaldo es de toda la base: con credenciales de escuela, pg_dump no la puede leer.
    exigir_administracion("`amauta db backup`")
    salida.info(f"Base: {ctx.url_enmascarada}")
    r = respaldo.respaldar(
        ctx.url_herramientas,
        salida_,
        formato.value if formato else None,
        conservar=conservar,
        verificar=verificar,
        informar=salida.info,
        avisar=salida.aviso,
        progreso=salida.progreso,
    )
    _mostrar_respaldo(r)
    if r.verificacion is not None:
        rv = r.verificacion
        _mostrar_verificacion(rv.verificacion, "Verificación del respaldo")
        if not rv.verificacion.ok:
            salida.error(
                f"El respaldo {r.archivo} NO coincide con su manifiesto: no confíe en él. "
                "No se borró ningún respaldo anterior.",
                rv.verificacion.diferencias,
            )
            raise typer.Exit(1)
        salida.exito(
            f"Verificado: restaurado en una base desechable ({textos.duracion(rv.duracion)}), "
            "revisión y filas iguales al manifiesto."
        )
    n = conservar if conservar is not None else respaldo.ajustes()["conservar"]
    for b in r.borrados:
        salida.info(f"  borrado (--conservar {n}): {b.name}")
    if r.borrados:
        salida.info(f"Se conservan los {n} respaldos más nuevos de esta base en {r.archivo.parent}.")
    salida.exito(f"Respaldo completo: {r.archivo}")


@app.command("backups")
def backups(
    carpeta: Annotated[
        Optional[Path],
        typer.Argument(
            help="Carpeta de respaldos (por defecto, la de los ajustes o ~/.local/share/amauta/respaldos).",
            show_default=False,
        ),
    ] = None,
    formato: OpcionFormato = Formato.tabla,
    limpiar: Annotated[
        bool,
        typer.Option(
            "--limpiar",
            help=(
                "Borra los restos de respaldos, verificaciones y restauraciones interrumpidos "
                "(archivos temporales y bases amauta_verificar_*) cuyo proceso ya no existe."
            ),
        ),
    ] = False,
) -> None:
    """Los respaldos de amauta de una carpeta con los datos de su manifiesto, el más nuevo primero."""
    from datetime import datetime

    from amauta_cli import salida, textos
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import respaldo

    ctx = contexto()
    if limpiar:
        borrados, quedan, problema = respaldo.limpiar_restos(ctx.url, carpeta)
        for r in borrados:
            salida.info(f"  borrado: {r.tipo} {r.ruta}")
        salida.exito(
            f"Restos de respaldos interrumpidos: {textos.plural(len(borrados), 'borrado')}"
            + (f"; quedan {textos.entero(len(quedan))} en uso o de otra máquina." if quedan else ".")
        )
        restos_vistos = quedan
    else:
        restos_vistos, problema = respaldo.restos(ctx.url, carpeta)
    carpeta_real, filas = respaldo.listar(carpeta)

    def instante(valor: object) -> object:
        try:
            return datetime.fromisoformat(str(valor))
        except ValueError:
            return valor

    for f in filas:
        f["inicio"], f["fin"] = instante(f["inicio"]), instante(f["fin"])
    salida.emitir(
        Vista(
            [
                Columna("archivo", "Archivo", "codigo", prioridad=0),
                Columna("ruta", "Ruta", "codigo", prioridad=9),
                Columna("inicio", "Fecha", "fecha_hora", prioridad=1),
                Columna("fin", "Fin", "fecha_hora", prioridad=8),
                Columna("motor", "Motor", prioridad=2),
                Columna("base", "Base", prioridad=3),
                Columna("formato", "Formato", prioridad=6),
                Columna("revision", "Revisión", "codigo", prioridad=4),
                Columna("tablas", "Tablas", "entero", prioridad=5),
                Columna("filas", "Filas", "entero", prioridad=1),
                Columna("tamano", "Tamaño", "tamano", prioridad=1),
                Columna("sha256", "SHA-256", "codigo", prioridad=9),
                Columna("motivo", "Motivo", prioridad=5),
                Columna("version_amauta", "Versión de amauta", prioridad=8),
                Columna("estado", "Estado", prioridad=0),
            ],
            filas,
            titulo=f"Respaldos en {carpeta_real}",
            vacio=f"No hay respaldos de amauta en {carpeta_real}.",
        ),
        formato,
    )
    _mostrar_restos(restos_vistos, problema)


@app.command("verificar-backup")
def verificar_backup(
    archivo: Annotated[Path, typer.Argument(help="El respaldo a verificar.", metavar="ARCHIVO", show_default=False)],
    sin_manifiesto: OpcionSinManifiesto = False,
) -> None:
    """Comprueba el SHA-256 de un respaldo y lo restaura en una base desechable para compararlo con su manifiesto."""
    from amauta_cli import salida, textos
    from amauta_cli.services import respaldo

    from amauta_cli.cli.comun import exigir_administracion

    exigir_administracion("`amauta db verificar-backup`")  # crea y borra una base desechable
    ctx = contexto()
    rv = respaldo.verificar_archivo(
        archivo,
        ctx.url_herramientas,
        exigir_manifiesto=not sin_manifiesto,
        informar=salida.info,
        avisar=salida.aviso,
        progreso=salida.progreso,
    )
    v = rv.verificacion
    _mostrar_verificacion(v, f"Verificación de {archivo.name}")
    if not v.con_manifiesto:
        salida.aviso(
            f"{archivo.name} no tiene manifiesto de amauta: se restauró bien en una base "
            "desechable, pero no hay contra qué comparar sus filas."
        )
        return
    if not v.ok:
        salida.error(f"El respaldo {archivo} NO coincide con su manifiesto.", v.diferencias)
        raise typer.Exit(1)
    salida.exito(
        f"{archivo.name}: SHA-256 correcto, restaurado en una base desechable "
        f"({textos.duracion(rv.duracion)}), revisión {v.revision_obtenida or 'ninguna'} y "
        f"{textos.plural(v.filas, 'fila')} iguales al manifiesto."
    )


@app.command("restore")
def restore(
    archivo: Annotated[Path, typer.Argument(help="El respaldo a restaurar.", metavar="ARCHIVO", show_default=False)],
    limpiar: Annotated[
        bool,
        typer.Option("--limpiar", help="Reemplaza el contenido de una base que ya tiene datos."),
    ] = False,
    si: OpcionSi = False,
    sin_respaldo: OpcionSinRespaldo = False,
    forzar: Annotated[
        bool,
        typer.Option(
            "--forzar",
            help="Restaura aunque el respaldo tenga una revisión de esquema más nueva que este amauta.",
        ),
    ] = False,
    sin_manifiesto: OpcionSinManifiesto = False,
) -> None:
    """Restaura un respaldo: todo o nada, y luego compara revisión y filas con el manifiesto."""
    from amauta_cli.cli.comun import exigir_administracion

    exigir_administracion("`amauta db restore`")
    from datetime import datetime

    from amauta_cli import salida, textos
    from amauta_cli.services import respaldo

    ctx = contexto()
    ctx.objetivo.exigir_carpeta()  # restore crea la base SQLite, pero solo en una carpeta existente

    def confirmar(plan: "PlanRestauracion") -> None:
        insp = plan.inspeccion
        m = insp.manifiesto
        if m is None:
            salida.aviso(
                f"{insp.archivo.name} no tiene manifiesto de amauta: no hay contra qué verificar "
                "su integridad ni sus filas. Se restaura tal cual."
            )
        else:
            try:
                cuando = textos.fecha_hora(datetime.fromisoformat(str(m["inicio"])))
            except ValueError:
                cuando = str(m["inicio"])
            salida.info(
                f"Respaldo: {insp.archivo.name} del {cuando} (SHA-256 correcto), revisión "
                f"{m['revision'] or 'ninguna'}, {textos.plural(m.get('filas', 0), 'fila')}."
            )
        salida.info(
            f"Destino: {ctx.url_enmascarada}"
            + (
                f" (con datos en {textos.plural(len(plan.tablas_con_datos), 'tabla')}, que se reemplazarán)"
                if plan.con_datos
                else " (sin datos)"
            )
        )
        accion = (
            f"Restaurar {insp.archivo.name} reemplaza TODO el contenido de la base"
            if plan.con_datos
            else f"Restaurar {insp.archivo.name}"
        )
        confirmar_destructivo(accion, plan.nombre_base, ctx.url_enmascarada, plan.produccion, si)

    r = respaldo.restaurar_archivo(
        ctx.url_herramientas,
        archivo,
        limpiar=limpiar,
        forzar=forzar,
        sin_respaldo=sin_respaldo,
        exigir_manifiesto=not sin_manifiesto,
        confirmar=confirmar,
        informar=salida.info,
        avisar=salida.aviso,
        progreso=salida.progreso,
    )
    from amauta_cli.cli.comun import tras_cambio_masivo

    tras_cambio_masivo()
    plan = r.plan
    assert plan is not None
    m = plan.inspeccion.manifiesto
    v = r.verificacion
    _mostrar_verificacion(v, "Base restaurada")
    if plan.entorno_destino and (m or {}).get("entorno") != plan.entorno_destino:
        salida.info(f"Se conservó la marca de entorno de la base destino: {plan.entorno_destino}.")
    for t in plan.prisma_destino:  # contabilidad de Prisma Migrate (esquema.TABLAS_DE_PRISMA)
        if m is not None and t not in (m.get("tablas") or {}):
            salida.aviso(
                f"La base destino tenía la tabla {t} (las migraciones aplicadas por la aplicación "
                "Prisma) y el respaldo no la trae: Prisma ya no sabe qué migraciones tiene la base. "
                "Si el esquema restaurado es el de sus migraciones, márquelas como aplicadas con "
                "`prisma migrate resolve --applied <migración>` (ver README, compartir la base con Prisma)."
            )
    if not v.ok:
        salida.error(
            "La restauración terminó pero la base NO coincide con el manifiesto del respaldo.",
            v.diferencias,
        )
        raise typer.Exit(1)
    if v.revision_obtenida is None:
        salida.aviso("La base restaurada no tiene el esquema de amauta (no hay revisión de Alembic).")
    elif r.pendiente_migrar:
        salida.aviso(
            f"El respaldo está en la revisión {v.revision_obtenida}, anterior a la de este "
            f"amauta ({r.revision_cabeza}): ejecute `amauta db migrate` para ponerla al día."
        )
    elif v.revision_obtenida != r.revision_cabeza:
        salida.aviso(
            f"La base quedó en la revisión {v.revision_obtenida}, que este amauta no conoce "
            "(--forzar): actualice amauta antes de usarla."
        )
    salida.exito(
        f"Restauración completa en {textos.duracion(r.duracion)}: {textos.plural(v.filas, 'fila')}"
        + (", iguales al manifiesto." if v.con_manifiesto else ".")
    )
