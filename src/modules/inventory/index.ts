/** The inventory context's public surface: products, lots, stock movements, usage and recall. */
export { inventoryRoutes } from './inventory.routes.js';
export { PRODUCT_TYPES, type ProductType } from './products.service.js';
export { LOT_STATUSES, type LotStatus } from './lots.service.js';
