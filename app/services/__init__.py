"""The plant's use cases. Each takes a unit of work and plain values, checks the role,
validates, writes its change and exactly one journal entry in one transaction, and
returns ids or frozen DTOs."""

from app.services.customers import create_customer, edit_customer, set_customer_archived
from app.services.deliveries import DeliveryItem, deliver
from app.services.masterdata import (
    create_line,
    create_material,
    create_supplier,
    create_warehouse,
    edit_line,
    edit_material,
    edit_supplier,
    edit_warehouse,
    set_line_archived,
    set_material_archived,
    set_supplier_archived,
    set_warehouse_archived,
)
from app.services.orders import (
    cancel_order,
    create_order,
    edit_order,
    move_order,
    optimise_line,
    plan_order,
    unplan_order,
)
from app.services.production import consume_batch, finish_order, record_output, start_order
from app.services.products import (
    RecipeItem,
    create_product,
    edit_product,
    set_product_archived,
    set_recipe,
)
from app.services.settings import save_settings
from app.services.stock import (
    adjust_stock,
    approve_batch,
    block_batch,
    issue_stock,
    receive_batch,
    transfer_stock,
)
from app.services.stops import (
    create_stop_reason,
    edit_stop,
    end_stop,
    record_stop,
    rename_stop_reason,
    set_stop_reason_archived,
)
from app.services.trace import trace_batch
from app.services.users import change_password, change_role, create_user, set_user_active

__all__ = [
    "DeliveryItem",
    "RecipeItem",
    "adjust_stock",
    "approve_batch",
    "block_batch",
    "cancel_order",
    "change_password",
    "change_role",
    "consume_batch",
    "deliver",
    "create_customer",
    "create_line",
    "create_material",
    "create_order",
    "create_product",
    "create_stop_reason",
    "create_supplier",
    "create_user",
    "create_warehouse",
    "edit_customer",
    "edit_line",
    "edit_material",
    "edit_order",
    "edit_stop",
    "edit_supplier",
    "edit_warehouse",
    "edit_product",
    "end_stop",
    "finish_order",
    "issue_stock",
    "move_order",
    "optimise_line",
    "plan_order",
    "receive_batch",
    "record_output",
    "record_stop",
    "rename_stop_reason",
    "save_settings",
    "set_customer_archived",
    "set_line_archived",
    "set_material_archived",
    "set_stop_reason_archived",
    "set_supplier_archived",
    "set_product_archived",
    "set_recipe",
    "set_user_active",
    "set_warehouse_archived",
    "start_order",
    "trace_batch",
    "transfer_stock",
    "unplan_order",
]
