/** @type import('hardhat/config').HardhatUserConfig */
module.exports = { solidity: "0.8.24" };
