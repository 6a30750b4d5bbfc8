import { DataTypes } from "sequelize";

/**
 * Column definitions shared by every model file: a bare name allows NULL, `req…` does not. Factories,
 * not shared objects: Sequelize writes `field` and `fieldName` into each attribute definition.
 */
export const id = () => ({ type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true });
/** A text primary key (generated ids such as `ex_…`, names, days). */
export const key = () => ({ type: DataTypes.STRING, primaryKey: true });
export const str = () => ({ type: DataTypes.STRING, allowNull: true });
export const reqStr = () => ({ type: DataTypes.STRING, allowNull: false });
export const text = () => ({ type: DataTypes.TEXT, allowNull: true });
export const reqText = () => ({ type: DataTypes.TEXT, allowNull: false });
export const date = () => ({ type: DataTypes.DATE, allowNull: true });
export const reqDate = () => ({ type: DataTypes.DATE, allowNull: false });
export const json = () => ({ type: DataTypes.JSON, allowNull: true });
export const reqJson = () => ({ type: DataTypes.JSON, allowNull: false });
export const int = () => ({ type: DataTypes.INTEGER, allowNull: true });
export const reqInt = () => ({ type: DataTypes.INTEGER, allowNull: false });
/** A reference to a BIGINT `id` of another table. */
export const bigint = () => ({ type: DataTypes.BIGINT, allowNull: true });
export const float = () => ({ type: DataTypes.FLOAT, allowNull: true });
export const reqBool = () => ({ type: DataTypes.BOOLEAN, allowNull: false });
/** Dollars to the millionth (token prices are fractions of a cent), and the budget limits beside them. */
export const decimal = () => ({ type: DataTypes.DECIMAL(14, 6), allowNull: true });
export const reqDecimal = () => ({ type: DataTypes.DECIMAL(14, 6), allowNull: false });
