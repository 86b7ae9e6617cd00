"""``amauta db``: esquema, migraciones, estado y entorno de la base."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from amauta_cli.cli.comun import (
    Formato,
    OpcionFormato,
    OpcionSi,
    confirmar_destructivo,
    contexto,
    exigir_administracion,
)

app = typer.Typer(
    help=(
        "Esquema, migraciones y respaldos de la base: migrate, rollback, estado, historial, "
        "verificar, entorno, prisma, backup, backups, verificar-backup, restore, archivar, "
        "desarchivar, copiar."
    ),
    no_args_is_help=True,
)


@app.command("migrate")
def migrate(
    revision: Annotated[
        str,
        typer.Option("--revision", "-r", help="Revisión destino (por defecto, la última: head)."),
    ] = "head",
    sql: Annotated[
        bool,
        typer.Option("--sql", help="Imprime el SQL de las migraciones pendientes sin tocar la base."),
    ] = False,
    desde: Annotated[
        Optional[str],
        typer.Option(
            "--desde",
            help="Con --sql: revisión de partida (p. ej. base) en lugar de leerla de la base.",
        ),
    ] = None,
) -> None:
    """Aplica las migraciones pendientes (crea el esquema en una base vacía)."""
    if not (sql and desde):
        exigir_administracion("`amauta db migrate`")
    from amauta_cli import salida
    from amauta_cli.services import esquema
    from amauta_cli.textos import plural

    ctx = contexto()
    if sql:
        texto = esquema.sql_migracion(ctx.objetivo, revision, desde=desde)
        if not texto.strip():
            salida.info("La base ya está en la revisión pedida: no hay SQL que aplicar.")
        sys.stdout.write(texto)
        return
    salida.info(f"Base: {ctx.url_enmascarada}")
    r = esquema.migrar(ctx.objetivo, revision, avisar=salida.aviso)
    if r.adoptada:
        salida.info(
            "La base no tenía la revisión de amauta (alembic_version) pero su esquema es idéntico "
            f"al de la revisión {r.adoptada}: se registró {r.adoptada} como aplicada. "
            "La tabla _prisma_migrations de Prisma no se tocó."
        )
        if not r.aplicadas:
            salida.exito(f"Base adoptada en la revisión {r.adoptada}, la última: no hubo que aplicar nada más.")
            return
    if not r.aplicadas:
        salida.exito(f"La base ya está al día (revisión {r.hasta}). No se cambió nada.")
        return
    for paso in r.aplicadas:
        salida.info(f"  aplicada {paso.revision}: {paso.descripcion}")
    salida.exito(
        f"Migración completa: {r.desde or 'base'} → {r.hasta} "
        f"({plural(len(r.aplicadas), 'revisión')})."
    )


@app.command("rollback")
def rollback(
    pasos: Annotated[
        Optional[int],
        typer.Option("--pasos", "-n", min=1, help="Cuántas migraciones deshacer (por defecto 1)."),
    ] = None,
    revision: Annotated[
        Optional[str],
        typer.Option(
            "--revision", "-r", help="Deshace hasta dejar la base en esta revisión ('base' = todas)."
        ),
    ] = None,
    si: OpcionSi = False,
    sin_respaldo: Annotated[
        bool,
        typer.Option("--sin-respaldo", help="No hace el respaldo de seguridad automático antes."),
    ] = False,
) -> None:
    """Deshace migraciones (borra las tablas y datos que ellas crearon), previo respaldo."""
    exigir_administracion("`amauta db rollback`")
    from amauta_cli import salida
    from amauta_cli.db import conexion
    from amauta_cli.errores import DatosInvalidos
    from amauta_cli.services import entorno, esquema
    from amauta_cli.textos import plural

    if pasos is not None and revision is not None:
        raise DatosInvalidos("Use --pasos o --revision, no ambos.")
    ctx = contexto()
    plan = esquema.planificar_reversion(ctx.objetivo, pasos=pasos, revision=revision)
    salida.info(f"Base: {ctx.url_enmascarada}")
    salida.info(f"Se deshará, de la revisión {plan.actual} a {plan.destino or 'base'}:")
    for paso in plan.deshacer:
        salida.info(f"  {paso.revision}: {paso.descripcion}")
    with conexion(ctx.objetivo, solo_lectura=True) as con:
        prod = entorno.leer(con) == "produccion" or entorno.variable_produccion()
    confirmar_destructivo(
        f"Deshacer {plural(len(plan.deshacer), 'migración')} borra sus tablas y datos",
        ctx.objetivo.nombre_base,
        ctx.url_enmascarada,
        prod,
        si,
    )
    if not sin_respaldo:
        from amauta_cli import salida
        from amauta_cli.services.respaldo import respaldo_de_seguridad

        respaldo_de_seguridad(ctx.url_herramientas, "rollback", informar=salida.info, progreso=salida.progreso)
    esquema.revertir(ctx.objetivo, plan)
    from amauta_cli.cli.comun import tras_cambio_masivo

    tras_cambio_masivo()
    salida.exito(f"Reversión completa: la base quedó en {plan.destino or 'base'}.")


@app.command("estado")
def estado(formato: OpcionFormato = Formato.tabla) -> None:
    """Motor, URL, versión, revisión, migraciones pendientes, entorno y filas por tabla."""
    from amauta_cli import salida
    from amauta_cli.salida import Campo, Columna, Ficha, Objeto, Vista
    from amauta_cli.services import esquema

    ctx = contexto()
    e = esquema.estado(ctx.objetivo)
    campos = [
        Campo("motor", "Motor", e["motor"]),
        Campo("url", "URL", e["url"], "codigo"),
        Campo("origen_url", "Origen de la URL", e["origen_url"]),
        Campo("version_servidor", "Versión del servidor", e["version_servidor"]),
        Campo("entorno", "Entorno", e["entorno"] or "sin marcar"),
        Campo(
            "limitada_a",
            "Limitada a",
            (
                f"{e['limitada_a']['institucion'] or 'ninguna institución (rol sin acceso en esta base)'} "
                f"(rol de escuela {e['limitada_a']['rol']})"
            )
            if e["limitada_a"]
            else (
                "sin límite (toda la base)"
                if e["motor"] != "sqlite"
                else "sin límite: SQLite no tiene seguridad por filas (quien abre el archivo ve todo)"
            ),
        ),
        *(
            [Campo("prisma", "Migraciones de Prisma", _texto_prisma(e["prisma"]))]
            if e["prisma"] is not None
            else []
        ),
        Campo("revision_actual", "Revisión actual", e["revision_actual"] or "ninguna (base vacía)", "codigo"),
        Campo("revision_cabeza", "Última revisión", e["revision_cabeza"], "codigo"),
        Campo("pendientes", "Migraciones pendientes", ", ".join(e["pendientes"]) if e["pendientes"] else "ninguna"),
    ]
    campos += [Campo(f"filas.{t}", t, n, "entero", solo_en=salida.PLANILLAS) for t, n in e["tablas"].items()]
    if e["revision_desconocida"]:
        salida.aviso(
            f"La revisión {e['revision_actual']} no la conoce esta versión de amauta: "
            "la base es más nueva que el código."
        )
    elif e["pendientes"]:
        salida.aviso("Hay migraciones pendientes: ejecute `amauta db migrate`.")
    tablas = Vista(
        [Columna("tabla", "Tabla", "codigo", prioridad=0), Columna("filas", "Filas", "entero")],
        [{"tabla": t, "filas": n} for t, n in e["tablas"].items()],
        vacio="La base no tiene tablas.",
        solo_en=salida.PARA_LEER,
    )
    partes = [Objeto(e), Ficha(campos, titulo="Estado de la base", solo_en=salida.SIN_JSON)]
    if e["tablas"]:
        partes.append(tablas)
    salida.emitir(partes, formato)


def _texto_prisma(p: dict) -> str:
    from amauta_cli.textos import plural

    texto = plural(p["aplicadas"], "aplicada")
    if p["ultima"]:
        texto += f" (la última, {p['ultima']})"
    if p["fallidas"]:
        texto += f", {plural(p['fallidas'], 'sin terminar', 'sin terminar')}"
    return texto + "; tabla _prisma_migrations, de la aplicación Prisma"


@app.command("historial")
def historial(formato: OpcionFormato = Formato.tabla) -> None:
    """Las revisiones de migración, marcando la actual."""
    from amauta_cli import salida
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import esquema

    filas = esquema.historial(contexto().objetivo)
    for f in filas:
        f["marca"] = "→ actual" if f["actual"] else ("aplicada" if f["aplicada"] else "pendiente")
    salida.emitir(
        [
            Vista(
                [
                    Columna("revision", "Revisión", "codigo", prioridad=0),
                    Columna("marca", "Estado", prioridad=0),
                    Columna("descripcion", "Descripción"),
                ],
                filas,
                titulo="Historial de migraciones",
                solo_en=salida.PARA_LEER,
            ),
            Vista(
                [
                    Columna("revision", "Revisión", "codigo"),
                    Columna("anterior", "Anterior", "codigo"),
                    Columna("descripcion", "Descripción"),
                    Columna("aplicada", "Aplicada", "bool"),
                    Columna("actual", "Actual", "bool"),
                    Columna("cabeza", "Cabeza", "bool"),
                ],
                filas,
                solo_en=("json", "csv", "excel"),
            ),
        ],
        formato,
    )


@app.command("verificar")
def verificar() -> None:
    """Compara la base viva con los modelos y lista cada diferencia (sale con 1 si hay deriva)."""
    from amauta_cli import salida
    from amauta_cli.services import esquema
    from amauta_cli.textos import plural

    # Compara todo el esquema (tablas que una escuela no puede leer, permisos, políticas).
    exigir_administracion("`amauta db verificar`")
    ctx = contexto()
    problemas = esquema.verificar(ctx.objetivo)
    if not problemas:
        salida.exito(f"Sin deriva: {ctx.url_enmascarada} coincide con los modelos de amauta.")
        return
    salida.error(
        f"La base {ctx.url_enmascarada} difiere de los modelos o tiene datos que amauta no admite "
        f"({plural(len(problemas), 'diferencia')}):",
        problemas,
    )
    raise typer.Exit(1)


@app.command("entorno")
def entorno_cmd(
    valor: Annotated[
        Optional[str],
        typer.Argument(
            help="produccion, desarrollo o pruebas. Sin valor, muestra el entorno registrado.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Registra en la propia base si es de producción, desarrollo o pruebas."""
    exigir_administracion("`amauta db entorno`")
    from amauta_cli import salida
    from amauta_cli.services import entorno

    ctx = contexto()
    if valor is None:
        with ctx.conexion(solo_lectura=True, exigir_esquema=False) as con:
            actual = entorno.leer(con)
        typer.echo(actual or "sin marcar")
        return
    with ctx.conexion(exigir_esquema=False) as con:
        anterior, nuevo = entorno.marcar(con, valor)
    if anterior == nuevo:
        salida.exito(f"La base ya estaba marcada como '{nuevo}'. No se cambió nada.")
    else:
        salida.exito(f"Entorno de {ctx.url_enmascarada}: {anterior or 'sin marcar'} → {nuevo}.")


@app.command("prisma")
def prisma(
    salida_dir: Annotated[
        Path,
        typer.Option(
            "--salida",
            "-o",
            help="Carpeta donde escribir schema.prisma y migrations/0_init/migration.sql.",
            show_default=False,
        ),
    ],
    version: Annotated[
        str,
        typer.Option("--prisma", help="Versión mayor de Prisma de la aplicación web: 7 o 6."),
    ] = "7",
    sobrescribir: Annotated[
        bool, typer.Option("--sobrescribir", help="Reemplaza los archivos si ya existen.")
    ] = False,
) -> None:
    """Escribe el schema.prisma y la migración base (0_init) del esquema de amauta, para Prisma.

    Describe exactamente lo que crea `amauta db migrate` en PostgreSQL (la última revisión):
    la aplicación web los usa para que Prisma y amauta estén de acuerdo (ver README,
    compartir la base con Prisma). Necesita una base PostgreSQL; no la modifica.
    """
    from amauta_cli import salida, textos
    from amauta_cli.services import prisma as svc

    exigir_administracion("`amauta db prisma`")  # crea (y deshace) un esquema temporal
    ctx = contexto()
    exp = svc.exportar(ctx.objetivo, version)
    escritos = svc.escribir(exp, salida_dir, sobrescribir=sobrescribir)
    salida.exito(
        f"Esquema de amauta en la revisión {exp.revision} para Prisma {version}: "
        f"{textos.plural(exp.modelos, 'modelo')} "
        f"({textos.plural(len(exp.propias), 'tabla propia', 'tablas propias')} de amauta como @@ignore)."
    )
    salida.info(f"  {escritos.schema}")
    salida.info(f"  {escritos.migracion}")
    if exp.no_expresable:
        salida.info(
            "Lo que Prisma no expresa va comentado en schema.prisma y como SQL en migration.sql: "
            + textos.enumerar(exp.no_expresable)
            + "."
        )
    salida.info(
        "En la base compartida, la aplicación web marca la migración base como aplicada: "
        f"`prisma migrate resolve --applied {svc.MIGRACION_BASE}`."
    )


def _registrar_respaldos() -> None:
    """``backup``, ``backups``, ``verificar-backup`` y ``restore`` (``cli/respaldo.py``),
    ``archivar`` y ``desarchivar`` (``cli/archivo.py``) y ``copiar`` (``cli/copia.py``) viven
    en sus módulos (que no importan este) y se suman a este grupo."""
    from amauta_cli.cli import archivo, copia, respaldo

    for modulo in (respaldo, archivo, copia):
        app.registered_commands.extend(modulo.app.registered_commands)


_registrar_respaldos()
